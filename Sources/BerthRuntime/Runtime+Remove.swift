import BerthCore
import Foundation

extension Runtime {
    /// `docker rm [-f] [-v]`: a running container is refused unless forced; forced, it is killed
    /// and its monitor's cleanup awaited first. `volumes` also removes its anonymous volumes.
    /// Returns the record that was removed.
    @discardableResult
    public func remove(_ ref: String, force: Bool = false, volumes: Bool = false) throws -> ContainerRecord {
        var record = try container(ref)
        if record.state.status == .running {
            guard force else { throw BerthError.cannotRemoveRunning(record.id.rawValue) }
            record.signalInit(SIGKILL)
            _ = waitStopped(record, timeout: 30)
        }
        try paths.withLock {
            // The monitor's cleanup may have removed it already (`--rm`).
            guard let fresh = try? store.load(record.id) else { return }
            record = fresh
            if record.state.status == .running, let repaired = try reconcileLocked(record) { record = repaired }
            guard record.state.status != .running else { throw BerthError.cannotRemoveRunning(record.id.rawValue) }
            try removeLocked(record, volumes: volumes)
        }
        return record
    }

    /// `docker container prune`: every stopped container. Returns the removed IDs.
    public func prune() throws -> [ContainerID] {
        try reconcileAll()
        return try paths.withLock {
            let stopped = store.all().filter { $0.state.status != .running }
            for r in stopped { try removeLocked(r) }
            return stopped.map(\.id)
        }
    }

    func removeLocked(_ record: ContainerRecord, volumes: Bool = false) throws {
        let id = record.id.rawValue
        try images.removeContainerLayer(containerID: id)
        try? FileManager.default.removeItem(atPath: paths.containerRun(id))
        try FileManager.default.removeItem(atPath: paths.container(id))
        if volumes { removeAnonymousVolumesLocked(of: record) }
    }
}
