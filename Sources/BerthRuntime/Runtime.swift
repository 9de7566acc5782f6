import BerthCore
import BerthImages
import Foundation

/// The daemonless runtime: every method reads and writes the state store under the state
/// lock and returns; long-lived work belongs to the per-container monitor.
public struct Runtime: Sendable {
    public let paths: StatePaths
    /// `--pids-limit` for containers created without one, `$BERTH_PIDS_LIMIT` (the lab sets
    /// it, so a fork bomb in a lesson, also in a `build` RUN step, stays in its container);
    /// nil: unlimited, as in Docker.
    public var defaultPidsLimit: Int64?

    public init(paths: StatePaths, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.paths = paths
        defaultPidsLimit = environment["BERTH_PIDS_LIMIT"].flatMap { Int64($0) }
    }

    var store: ContainerStore { ContainerStore(paths: paths) }
    var images: ImageStore { ImageStore(paths: paths) }

    /// Every container, newest first, with states repaired where a monitor died.
    public func containers() throws -> [ContainerRecord] {
        try reconcileAll()
        return store.all().sorted { $0.created > $1.created }
    }

    /// Name, ID or unique ID prefix → the record.
    public func container(_ ref: String) throws -> ContainerRecord {
        let record = try store.resolve(ref)
        return try reconcile(record.id) ?? record
    }

    public func hostConfig(_ id: ContainerID) throws -> HostConfig {
        try store.hostConfig(id)
    }
}
