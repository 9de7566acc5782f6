import BerthCore

/// iptables rules, applied in one `iptables-restore --noflush` batch per change.
enum Firewall {
    enum Op {
        case add, delete
        var flag: String { self == .add ? "-A" : "-D" }
    }

    /// `--wait` makes concurrent callers (other state roots) take turns on the xtables lock.
    static func apply(_ script: String) throws {
        _ = try HostCommand.run("iptables-restore", ["--noflush", "--wait"], input: script)
    }
}
