import BerthCore
import CBerth
import Foundation

/// Wires a container's network namespace while its init waits on the sync pipe.
public enum Network {
    /// `none` and `bridge` (for now the same: loopback only) get `lo` up; `host` shares the
    /// host's stack and needs nothing.
    public static func prepare(initPid: Int32, networkMode: String) throws {
        guard networkMode != "host" else { return }
        if berth_netns_link_up(initPid, "lo") != 0 {
            let e = errno
            throw BerthError.internalError(
                "failed to set up network: lo: \(String(cString: strerror(e)))")
        }
    }
}
