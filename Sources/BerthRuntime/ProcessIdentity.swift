import BerthCore
import Foundation

/// A PID plus its start time from /proc/PID/stat, so a recycled PID is never mistaken for
/// the process berth recorded (runc guards its init the same way).
enum ProcessIdentity {
    /// Field 22 of /proc/PID/stat (clock ticks since boot), or nil when the process is gone.
    static func startTime(_ pid: Int32) -> UInt64? {
        guard pid > 0, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, start time is field 22.
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard rest.count > 19, let st = UInt64(rest[19]) else { return nil }
        if rest[0] == "Z" { return nil }  // a zombie has exited
        return st
    }

    static func isAlive(_ pid: Int32, startTime: UInt64) -> Bool {
        guard pid > 0, startTime != 0 else { return false }
        return Self.startTime(pid) == startTime
    }
}
