import BerthCore

/// iptables rules, applied in one `iptables-restore --noflush` batch per change.
enum Firewall {
    enum Op {
        case add, delete
        var flag: String { self == .add ? "-A" : "-D" }
    }

    static func apply(_ script: String) throws {
        try HostNetworkLock.withLock {
            _ = try HostCommand.run("iptables-restore", ["--noflush", "--wait"], input: script)
        }
    }
}
