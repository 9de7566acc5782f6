import BerthCore
import Foundation

/// Everything the security records say about one container, derived from its host config
/// the same way for `start` and for `exec`.
struct ContainerSecurity {
    var capabilities: [String]
    var sets: CapabilitySets
    /// nil: `seccomp=unconfined` (or `--privileged`).
    var seccomp: SeccompProfile?
    var noNewPrivileges = false
    var maskedPaths: [String] = []
    var readOnlyPaths: [String] = []
    var readOnlyRootfs = false

    init(_ host: HostConfig) throws {
        capabilities = try Capabilities.effective(add: host.capAdd ?? [], drop: host.capDrop ?? [],
                                                  privileged: host.privileged)
        sets = CapabilitySets(capabilities)
        let opts = try SecurityOptions(host.securityOpt ?? [])
        noNewPrivileges = opts.noNewPrivileges
        readOnlyRootfs = host.readonlyRootfs ?? false
        if host.privileged {
            seccomp = nil  // Docker: privileged means unconfined, unless a profile is given
            if case .profile(let p) = opts.seccomp { seccomp = p }
        } else {
            switch opts.seccomp {
            case .default: seccomp = .default
            case .unconfined: seccomp = nil
            case .profile(let p): seccomp = p
            }
            if !opts.unmaskSystemPaths {
                maskedPaths = MaskedPaths.masked
                readOnlyPaths = MaskedPaths.readOnly
            }
        }
    }

    /// The BPF program for this container's capabilities, or nil when unconfined.
    func compiledFilter() throws -> [UInt8]? {
        guard let seccomp else { return nil }
        return try SeccompCompiler(capabilities: capabilities).compile(seccomp)
    }
}

/// `--security-opt` values Berth understands; others are Docker's errors.
public struct SecurityOptions {
    enum Seccomp { case `default`, unconfined, profile(SeccompProfile) }
    var seccomp = Seccomp.default
    var noNewPrivileges = false
    /// `systempaths=unconfined`: no masked or read-only /proc and /sys paths.
    var unmaskSystemPaths = false

    init(_ options: [String]) throws {
        for opt in options {
            let kv = Self.split(opt)
            switch (kv.key, kv.value) {
            case ("no-new-privileges", nil): noNewPrivileges = true
            case ("no-new-privileges", let v?):
                guard let b = Bool(v) else { throw Self.invalid(opt) }
                noNewPrivileges = b
            case ("seccomp", "unconfined"): seccomp = .unconfined
            case ("seccomp", "builtin"), ("seccomp", ""): seccomp = .default
            case ("seccomp", let json?): seccomp = .profile(try SeccompProfile.parse(Data(json.utf8)))
            case ("systempaths", "unconfined"): unmaskSystemPaths = true
            case ("apparmor", _?), ("label", _?):
                break  // no LSM here: accepted and ignored, as Docker does on a host without one
            default: throw Self.invalid(opt)
            }
        }
    }

    /// `key=value`, or Docker's older `key:value`.
    static func split(_ opt: String) -> (key: String, value: String?) {
        if let i = opt.firstIndex(where: { $0 == "=" || $0 == ":" }) {
            return (String(opt[..<i]), String(opt[opt.index(after: i)...]))
        }
        return (opt, nil)
    }

    static func invalid(_ opt: String) -> BerthError {
        .daemon("invalid --security-opt: \"\(opt)\"", exitCode: 125)
    }

    /// The CLI reads a profile FILE and stores its JSON, as Docker's client does, so the
    /// container keeps working when the file goes away.
    public static func inlining(_ options: [String]) throws -> [String] {
        try options.map { opt in
            let kv = split(opt)
            guard kv.key == "seccomp", let v = kv.value, !["unconfined", "builtin", ""].contains(v),
                !v.hasPrefix("{")
            else { return opt }
            guard let data = FileManager.default.contents(atPath: v) else {
                throw BerthError(message: "opening seccomp profile (\(v)) failed: open \(v): no such file or directory",
                                 exitCode: 125)
            }
            _ = try SeccompProfile.parse(data)
            return "seccomp=" + String(decoding: data, as: UTF8.self)
        }
    }
}
