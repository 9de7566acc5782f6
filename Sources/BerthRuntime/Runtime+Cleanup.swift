import BerthCore
import BerthNetwork
import Foundation

extension Runtime {
    /// `berth _cleanup ID`, run by the monitor (it execs this) once init has exited:
    /// records the exit, tears down what start set up, and honours `--rm`.
    public func cleanup(_ id: ContainerID) throws {
        try paths.withLock {
            guard var record = try? store.load(id) else { return }
            let restarting = FileManager.default.fileExists(atPath: paths.containerRun(id.rawValue) + "/restarting")
            finishLocked(&record)
            try store.save(record)
            // `--rm` takes the anonymous volumes with it (named ones stay), as Docker does.
            if try !restarting && store.hostConfig(id).autoRemove { try removeLocked(record, volumes: true) }
        }
    }

    /// Marks a container stopped from its exit file (or 137 when the monitor died without
    /// one, as after `kill -9` of the monitor), and removes its run dir.
    func finishLocked(_ record: inout ContainerRecord) {
        let runDir = paths.containerRun(record.id.rawValue)
        var code: Int32 = 137
        var finished = Timestamp.now()
        if let text = try? String(contentsOfFile: runDir + "/exit", encoding: .utf8) {
            let parts = text.split(separator: " ")
            if parts.count >= 1, let c = Int32(parts[0].trimmingCharacters(in: .whitespacesAndNewlines)) { code = c }
            if parts.count >= 2, let ns = UInt64(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) {
                finished = Timestamp.format(nanoseconds: ns)
            }
        }
        // Still "created", the start never committed: its CLI gave up or died before init was
        // let run (init then exits without running anything), so the container stays startable.
        if record.state.status == .running {
            record.state.status = .exited
            record.state.exitCode = code
            record.state.finishedAt = finished
        }
        if leaveCgroup(id: record.id) { record.state.oomKilled = true }
        record.state.pid = 0
        if let endpoint = record.berth.endpoint {
            Network.disconnect(paths: paths, containerID: record.id.rawValue, endpoint: endpoint)
        }
        record.berth = .init()
        try? FileManager.default.removeItem(atPath: runDir)
    }

    /// Repairs one record whose monitor is gone (crashed, killed). Returns the repaired
    /// record, or nil when nothing needed repair. Takes the lock.
    func reconcile(_ id: ContainerID) throws -> ContainerRecord? {
        try paths.withLock {
            guard let record = try? store.load(id) else { return nil }
            return try reconcileLocked(record)
        }
    }

    func reconcileAll() throws {
        let suspicious = store.all().filter { needsRepair($0) }
        for r in suspicious { _ = try reconcile(r.id) }
        if !store.incomplete().isEmpty { try paths.withLock { removeIncompleteLocked() } }
    }

    /// A container directory without its record is a `create` killed midway (create holds the
    /// lock until the record is written, so under the lock nobody is still filling it): its
    /// layer and directory go, as the create's own failure path would have removed them.
    func removeIncompleteLocked() {
        for id in store.incomplete() {
            try? images.removeContainerLayer(containerID: id)
            try? FileManager.default.removeItem(atPath: paths.containerRun(id))
            try? FileManager.default.removeItem(atPath: paths.container(id))
        }
    }

    func needsRepair(_ r: ContainerRecord) -> Bool {
        r.state.status == .running && !ProcessIdentity.isAlive(r.berth.monitorPid, startTime: r.berth.monitorStartTime)
    }

    /// With the monitor dead: while init lives, the container still runs (`ps` shows it, and
    /// `stop`/`rm -f` kill init directly); once init is gone too, record the exit.
    func reconcileLocked(_ record: ContainerRecord) throws -> ContainerRecord? {
        guard needsRepair(record) else { return nil }
        if ProcessIdentity.isAlive(record.state.pid, startTime: record.berth.initStartTime) { return nil }
        var r = record
        finishLocked(&r)
        try store.save(r)
        return r
    }
}
