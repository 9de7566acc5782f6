import BerthCore
import CBerth

/// Linux capabilities by name, and Docker's rules for `--cap-add`, `--cap-drop` and
/// `--privileged`.
public enum Capabilities {
    /// Every capability Linux defines, by number (linux/capability.h).
    public static let names: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT",
        "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
        "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
    ]

    /// Docker's 14 defaults (moby's `caps.DefaultCapabilities`).
    public static let defaults: [String] = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ]

    /// The capabilities this kernel has (up to /proc/sys/kernel/cap_last_cap).
    public static var known: [String] {
        Array(names.prefix(min(names.count, Int(berth_cap_last()) + 1)))
    }

    /// `net_admin`, `NET_ADMIN` and `CAP_NET_ADMIN` all mean `CAP_NET_ADMIN`; "ALL" stays.
    public static func normalize(_ name: String, field: String = "CapAdd") throws -> String {
        let upper = name.uppercased()
        if upper == "ALL" { return upper }
        let full = upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
        guard names.contains(full) else {
            throw BerthError.daemon("invalid \(field): unknown capability: \"\(full)\"", exitCode: 125)
        }
        return full
    }

    /// Docker's `TweakCapabilities`: `--cap-add ALL` keeps all but the drops; `--cap-drop ALL`
    /// keeps only the adds; otherwise the defaults minus the drops plus the adds.
    public static func effective(add: [String], drop: [String], privileged: Bool) throws -> [String] {
        if privileged { return known }
        let adds = try add.map { try normalize($0, field: "CapAdd") }
        let drops = try drop.map { try normalize($0, field: "CapDrop") }
        var result: [String]
        if adds.contains("ALL") {
            result = known.filter { !drops.contains($0) }
        } else if drops.contains("ALL") {
            result = adds
        } else {
            result = defaults.filter { !drops.contains($0) } + adds
        }
        var seen = Set<String>()
        return result.filter { $0 != "ALL" && seen.insert($0).inserted }
    }

    /// The bit mask of a set of names (unknown names are ignored).
    public static func mask(_ caps: [String]) -> UInt64 {
        caps.reduce(0) { m, c in names.firstIndex(of: c).map { m | (1 << UInt64($0)) } ?? m }
    }
}

/// The five sets the container process gets, as `/proc/PID/status` shows them.
public struct CapabilitySets: Equatable, Sendable {
    public var bounding: UInt64
    public var effective: UInt64
    public var permitted: UInt64
    /// Empty since Docker 20.10.14 (CVE-2022-24769): an inheritable set lets a non-root
    /// program with file capabilities gain them on execve.
    public var inheritable: UInt64 = 0
    public var ambient: UInt64 = 0

    public init(_ caps: [String]) {
        let m = Capabilities.mask(caps)
        bounding = m
        effective = m
        permitted = m
    }

    /// The plan record's five hex fields, in Monitor.md's order.
    var planFields: [String] {
        [bounding, effective, permitted, inheritable, ambient].map { String($0, radix: 16) }
    }
}
