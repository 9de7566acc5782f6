import BerthCore
import Foundation

/// Runs `body` with a fresh state root and run dir under /tmp, then force-removes every
/// container left and deletes both, so a failing test cannot leak into the next.
public func withTemporaryStateRoot<T>(_ body: (BerthProcess) throws -> T) throws -> T {
    let base = "/tmp/berth-test-" + UUID().uuidString.prefix(8).lowercased()
    let paths = StatePaths(root: base + "/root", run: base + "/run")
    try ensureDirectory(paths.root)
    try ensureDirectory(paths.run)
    let berth = BerthProcess(paths: paths)
    defer {
        if let ids = try? berth.run("ps", "-a", "-q", "--no-trunc").lines, !ids.isEmpty {
            _ = try? berth.run(["rm", "-f"] + ids)
        }
        // The bridge and its rules are host-wide: a test root must not leave them behind.
        _ = try? berth.run("network", "_destroy")
        try? FileManager.default.removeItem(atPath: base)
    }
    return try body(berth)
}

/// Polls `condition` until it holds or `timeout` seconds pass: for when there is no event
/// to wait on (a port answering, a file appearing). Returns whether it held.
@discardableResult
public func waitUntil(_ timeout: Double, _ what: String = "", _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

/// Lessons publish fixed host ports (8080): suites that run whole chapters (lab end-to-end,
/// golden transcript replays) take turns through this host-wide lock, since Swift Testing
/// serializes only within one suite.
public func withFixedPortsLock<T>(_ body: () throws -> T) throws -> T {
    let lock = try FileLock(path: "/tmp/berth-tests-fixed-ports.lock")
    defer { withExtendedLifetime(lock) {} }
    return try body()
}
