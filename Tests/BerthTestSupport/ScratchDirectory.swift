import BerthCore
import Foundation

/// A directory under /tmp that lives as long as this object, locked by its `.owner` file so
/// that a later test run can tell the leftovers of a crashed run (lock free) from the
/// directories of a run still going (lock held), on the same machine.
public final class ScratchDirectory: Sendable {
    public let path: String
    private let lock: FileLock

    /// Prefixes of every scratch directory the tests (and `lab replay`) make.
    static let prefixes = ["berth-test-", "bcast-", "br-"]

    public init(prefix: String) throws {
        precondition(Self.prefixes.contains(prefix))
        _ = sweptOnce
        path = "/tmp/" + prefix + UUID().uuidString.prefix(8).lowercased()
        try ensureDirectory(path)
        lock = try FileLock(path: path + "/.owner")
    }

    /// Removes every container, the bridge and the files of a state root under `path`.
    public static func destroyStateRoot(_ paths: StatePaths) {
        let berth = BerthProcess(paths: paths)
        if let ids = try? berth.run("ps", "-a", "-q", "--no-trunc").lines, !ids.isEmpty {
            _ = try? berth.run(["rm", "-f"] + ids)
        }
        // The bridge and its rules are host-wide: a test root must not leave them behind.
        _ = try? berth.run("network", "_destroy")
    }
}

/// Leftovers of earlier runs that crashed or were killed (their monitors may still run, their
/// bridges still hold address pools): cleaned once per test process, before the first
/// scratch directory is made.
private let sweptOnce: Void = {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
    for name in entries where ScratchDirectory.prefixes.contains(where: { name.hasPrefix($0) }) {
        let dir = "/tmp/" + name
        let owner = dir + "/.owner"
        if FileManager.default.fileExists(atPath: owner) {
            guard let lock = FileLock.attempt(path: owner) else { continue }  // its run is alive
            withExtendedLifetime(lock) { sweep(dir) }
        } else {
            // Made before owner files existed, or just now by a run about to lock it.
            let modified = (try? FileManager.default.attributesOfItem(atPath: dir)[.modificationDate]) as? Date
            guard let modified, modified.timeIntervalSinceNow < -120 else { continue }
            sweep(dir)
        }
    }
}()

private func sweep(_ dir: String) {
    for (root, run) in [(dir + "/root", dir + "/run")] where FileManager.default.fileExists(atPath: root) {
        ScratchDirectory.destroyStateRoot(StatePaths(root: root, run: run))
    }
    try? FileManager.default.removeItem(atPath: dir)
}
