import BerthCore
import Foundation

/// iptables rules, applied in one `iptables-restore --noflush` batch per change.
enum Firewall {
    enum Op {
        case add, delete
        var flag: String { self == .add ? "-A" : "-D" }
    }

    /// `--wait` makes concurrent callers (other state roots) take turns on the xtables lock;
    /// the nf_tables backend can still refuse a batch that raced another one, so a failed
    /// batch is tried again a few times before the error stands.
    static func apply(_ script: String) throws {
        var attempt = 0
        while true {
            do {
                _ = try HostCommand.run("iptables-restore", ["--noflush", "--wait"], input: script)
                return
            } catch {
                attempt += 1
                if attempt >= 5 { throw error }
                usleep(UInt32(20_000 * attempt))
            }
        }
    }
}
