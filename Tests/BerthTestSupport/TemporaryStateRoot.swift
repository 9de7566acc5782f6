import BerthCore
import Foundation

/// Runs `body` with a fresh state root and run dir under /tmp, then force-removes every
/// container left, destroys the root's bridge and deletes both, so a failing test cannot leak
/// into the next (and a crashed run is swept by the next one: `ScratchDirectory`).
public func withTemporaryStateRoot<T>(_ body: (BerthProcess) throws -> T) throws -> T {
    let scratch = try ScratchDirectory(prefix: "berth-test-")
    let paths = StatePaths(root: scratch.path + "/root", run: scratch.path + "/run")
    try ensureDirectory(paths.root)
    try ensureDirectory(paths.run)
    defer {
        ScratchDirectory.destroyStateRoot(paths)
        try? FileManager.default.removeItem(atPath: scratch.path)
    }
    return try body(BerthProcess(paths: paths))
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
