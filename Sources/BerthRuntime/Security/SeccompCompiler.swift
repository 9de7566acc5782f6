import BerthCore
import CBerth
import CSeccomp
import Foundation

/// Turns a Docker-format profile into a raw BPF program with libseccomp, in the parent:
/// the child only hands the bytes to the kernel (Monitor.md, "Security").
public struct SeccompCompiler {
    /// The container's capabilities decide the `includes.caps`/`excludes.caps` rules.
    public var capabilities: [String]
    /// Go's name for this machine, as profiles spell it (`amd64`, `arm64`).
    public var goArch: String = SeccompCompiler.hostGoArch
    public var kernel: (Int, Int) = SeccompCompiler.hostKernel

    public init(capabilities: [String]) {
        self.capabilities = capabilities
    }

    /// Writes libseccomp's program (8-byte `struct sock_filter`s) to `fd`. Throws Docker-style
    /// errors for an action or comparison this compiler does not know.
    func export(_ profile: SeccompProfile, to fd: Int32) throws {
        let defaultAction = try action(profile.defaultAction, errno: profile.defaultErrnoRet)
        guard let ctx = seccomp_init(defaultAction) else {
            throw BerthError.internalError("seccomp_init failed")
        }
        defer { seccomp_release(ctx) }
        // Exported, not loaded: no_new_privs is the child's business (`nonewprivs`).
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)
        for arch in try architectures(profile) {
            let rc = seccomp_arch_add(ctx, arch)
            if rc < 0 && rc != -EEXIST { throw BerthError.internalError("seccomp: cannot add architecture \(arch)") }
        }
        for rule in profile.syscalls where applies(rule) {
            let act = try action(rule.action, errno: rule.errnoRet)
            if act == defaultAction { continue }  // libseccomp refuses a rule that changes nothing
            for name in rule.allNames {
                let nr = seccomp_syscall_resolve_name(name)
                if nr == __NR_SCMP_ERROR { continue }  // not a syscall here (another arch, or too new)
                try add(ctx, act, nr, name, rule.args ?? [])
            }
        }
        let rc = seccomp_export_bpf(ctx, fd)
        if rc < 0 { throw BerthError.internalError("seccomp_export_bpf: \(String(cString: strerror(-rc)))") }
    }

    /// The program as bytes (a memfd in between: libseccomp exports to a descriptor only),
    /// behind runc's ENOSYS stub.
    public func compile(_ profile: SeccompProfile) throws -> [UInt8] {
        let fd = berth_memfd("berth-seccomp")
        guard fd >= 0 else { throw BerthError.internalError("memfd_create: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try export(profile, to: fd)
        lseek(fd, 0, SEEK_SET)
        return enosysStub(profile) + readToEnd(fd)
    }

    /// runc's answer to syscalls newer than the profile: ENOSYS, not the default EPERM, so libc
    /// falls back to the older call (as for clone3). libseccomp cannot compare the syscall
    /// number itself, so these instructions go in front of its program: on the native
    /// architecture (x32's numbers, with bit 30 set, left to libseccomp), a number above every
    /// one the profile names returns ENOSYS; anything else jumps on into libseccomp's program,
    /// which loads what it needs itself. Nothing when the default action lets calls through.
    func enosysStub(_ profile: SeccompProfile) -> [UInt8] {
        guard profile.defaultAction != "SCMP_ACT_ALLOW", profile.defaultAction != "SCMP_ACT_LOG" else { return [] }
        let known = profile.syscalls.flatMap(\.allNames).map { seccomp_syscall_resolve_name($0) }.filter { $0 >= 0 }
        guard let last = known.max() else { return [] }
        let ld: UInt16 = 0x20, jeq: UInt16 = 0x15, jge: UInt16 = 0x35, jgt: UInt16 = 0x25, ret: UInt16 = 0x06
        let program: [(UInt16, UInt8, UInt8, UInt32)] = [
            (ld, 0, 0, 4),  // seccomp_data.arch
            (jeq, 0, 4, seccomp_arch_native()),  // SCMP_ARCH_* is the AUDIT_ARCH_* value
            (ld, 0, 0, 0),  // seccomp_data.nr
            (jge, 2, 0, 0x4000_0000),
            (jgt, 0, 1, UInt32(last)),
            (ret, 0, 0, 0x0005_0000 | UInt32(ENOSYS)),
        ]
        return program.flatMap { code, jt, jf, k in
            withUnsafeBytes(of: code, Array.init) + [jt, jf] + withUnsafeBytes(of: k, Array.init)  // host order, as the kernel reads it
        }
    }

    /// runc's rule: conditions on different arguments are ANDed in one rule; two conditions on
    /// the same argument become separate rules (ORed), since one rule cannot test both.
    private func add(_ ctx: scmp_filter_ctx, _ act: UInt32, _ nr: Int32, _ name: String,
                     _ args: [SeccompProfile.Arg]) throws {
        let conds = try args.map { a -> scmp_arg_cmp in
            guard let op = Self.ops[a.op] else {
                throw BerthError.daemon("unsupported seccomp comparison \(a.op)", exitCode: 125)
            }
            return scmp_arg_cmp(arg: a.index, op: scmp_compare(rawValue: op), datum_a: a.value, datum_b: a.valueTwo ?? 0)
        }
        let sameArg = Set(args.map(\.index)).count < args.count
        let groups = sameArg ? conds.map { [$0] } : [conds]
        for g in groups {
            let rc = g.withUnsafeBufferPointer { seccomp_rule_add_array(ctx, act, nr, UInt32(g.count), $0.baseAddress) }
            if rc < 0 {
                throw BerthError.internalError("seccomp: rule for \(name): \(String(cString: strerror(-rc)))")
            }
        }
    }

    static let ops: [String: UInt32] = [
        "SCMP_CMP_NE": 1, "SCMP_CMP_LT": 2, "SCMP_CMP_LE": 3, "SCMP_CMP_EQ": 4, "SCMP_CMP_GE": 5,
        "SCMP_CMP_GT": 6, "SCMP_CMP_MASKED_EQ": 7,
    ]

    /// libseccomp's action values (seccomp.h macros Swift does not import).
    func action(_ name: String, errno: UInt32?) throws -> UInt32 {
        switch name {
        case "SCMP_ACT_ALLOW": return 0x7fff_0000
        case "SCMP_ACT_ERRNO": return 0x0005_0000 | ((errno ?? UInt32(EPERM)) & 0xffff)
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return 0
        case "SCMP_ACT_KILL_PROCESS": return 0x8000_0000
        case "SCMP_ACT_TRAP": return 0x0003_0000
        case "SCMP_ACT_TRACE": return 0x7ff0_0000 | ((errno ?? UInt32(EPERM)) & 0xffff)
        case "SCMP_ACT_LOG": return 0x7ffc_0000
        default: throw BerthError.daemon("unsupported seccomp action \(name)", exitCode: 125)
        }
    }

    /// `architectures`, or the `archMap` entry of the native architecture with its subs.
    func architectures(_ p: SeccompProfile) throws -> [UInt32] {
        func resolve(_ s: String) -> UInt32? {
            let name = s.hasPrefix("SCMP_ARCH_") ? String(s.dropFirst(10)).lowercased() : s.lowercased()
            let a = seccomp_arch_resolve_name(name)
            return a == 0 ? nil : a
        }
        if let list = p.architectures, !list.isEmpty {
            if let map = p.archMap, !map.isEmpty {
                throw BerthError.daemon("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'", exitCode: 125)
            }
            return list.compactMap(resolve)
        }
        let native = seccomp_arch_native()
        for entry in p.archMap ?? [] where resolve(entry.architecture) == native {
            return [native] + (entry.subArchitectures ?? []).compactMap(resolve)
        }
        return [native]
    }

    /// Docker's includes/excludes: every included cap held, no excluded cap held, the arch
    /// listed (or not excluded), the kernel new enough.
    func applies(_ rule: SeccompProfile.Rule) -> Bool {
        if let inc = rule.includes {
            if let caps = inc.caps, !caps.allSatisfy(capabilities.contains) { return false }
            if let arches = inc.arches, !arches.isEmpty, !arches.contains(goArch) { return false }
            if let min = inc.minKernel, let v = Self.parseKernel(min), kernel < v { return false }
        }
        if let exc = rule.excludes {
            if let caps = exc.caps, caps.contains(where: capabilities.contains) { return false }
            if let arches = exc.arches, arches.contains(goArch) { return false }
            if let min = exc.minKernel, let v = Self.parseKernel(min), kernel >= v { return false }
        }
        return true
    }

    static func parseKernel(_ s: String) -> (Int, Int)? {
        let parts = s.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : parts.count == 1 ? (parts[0], 0) : nil
    }

    static var hostKernel: (Int, Int) {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return parseKernel(release) ?? (0, 0)
    }

    static var hostGoArch: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }
}
