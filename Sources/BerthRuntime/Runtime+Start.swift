import BerthCore
import BerthImages
import BerthNetwork
import CBerth
import Foundation

/// What `start` hands back: the monitor that now owns the container and, when asked for,
/// a connection that receives output from the very first byte.
public struct StartedContainer: Sendable {
    public let record: ContainerRecord
    public let monitorPid: Int32
    public let attach: AttachConnection?
}

extension Runtime {
    /// `docker start`: spawns the monitor, which clones init; sets up what the container
    /// needs from outside (network) while init waits on the sync pipe; then lets it run.
    /// A start that fails leaves the container stopped, with the child's error in Docker's words.
    public func start(_ ref: String, attach: Bool = false, winsize: (rows: UInt16, cols: UInt16)? = nil)
        throws -> StartedContainer
    {
        do {
            return try startOnce(ref, attach: attach, winsize: winsize)
        } catch {
            // A `--rm` container whose start failed goes, as Docker's daemon removes it.
            if let record = try? store.resolve(ref), record.state.status != .running,
                (try? store.hostConfig(record.id))?.autoRemove == true
            {
                _ = try? remove(record.id.rawValue, volumes: true)
            }
            throw error
        }
    }

    private func startOnce(_ ref: String, attach: Bool, winsize: (rows: UInt16, cols: UInt16)?) throws
        -> StartedContainer
    {
        var failure: (error: BerthError, monitorPid: Int32, execFailed: Bool)?
        let started: StartedContainer = try paths.withLock {
            var record = try store.resolve(ref)
            if let repaired = try reconcileLocked(record) { record = repaired }
            if record.state.status == .running {
                return StartedContainer(record: record, monitorPid: record.berth.monitorPid, attach: nil)
            }
            let host = try store.hostConfig(record.id)
            let plan: MonitorPlan
            do { plan = try makePlan(record: record, host: host, winsize: winsize) } catch {
                // nothing ran (no such user, say): `--rm` still takes the container, as Docker's daemon does
                if host.autoRemove { try removeLocked(record, volumes: true) }
                throw error
            }
            let runDir = paths.containerRun(record.id.rawValue)
            try? FileManager.default.removeItem(atPath: runDir)
            try ensureDirectory(runDir, mode: 0o700)
            try AtomicFile.write(plan.data, to: runDir + "/plan", mode: 0o600)

            let bridged = host.networkMode == "default" || host.networkMode == "bridge"
            // Ports are bound before anything starts, so a clash fails cleanly.
            let reservation = try PortReservation.reserve(bridged ? publishedPorts(host, record: record) : [])
            defer { reservation.release() }  // the monitor holds its own copies
            let spawned = try MonitorProcess.spawn(planPath: runDir + "/plan", paths: paths, heldFDs: reservation.fds)
            let connection: AttachConnection?
            do {
                connection = attach ? try AttachConnection(socketPath: runDir + "/attach") : nil
                try Network.prepare(initPid: spawned.childPid, networkMode: host.networkMode)
                try joinCgroup(id: record.id, pid: spawned.childPid, host: host)
                if bridged {
                    let endpoint = try Network.connect(
                        paths: paths, containerID: record.id.rawValue, pid: spawned.childPid, ports: reservation.mappings)
                    record.berth.endpoint = endpoint
                    try AtomicFile.write(
                        EtcHosts.render(hostname: record.config.hostname, address: endpoint.address.description),
                        to: paths.container(record.id.rawValue) + "/hosts")
                }
            } catch {
                // Closing the sync pipe makes the waiting child exit; the monitor then cleans up.
                spawned.abort()
                failure = (error as? BerthError ?? .internalError("\(error)"), spawned.monitorPid, false)
                try store.save(record)
                return StartedContainer(record: record, monitorPid: spawned.monitorPid, attach: nil)
            }

            let endpoint = record.berth.endpoint
            record.state = .init(status: .running)
            record.state.pid = spawned.childPid
            record.state.startedAt = Timestamp.now()
            record.berth.monitorPid = spawned.monitorPid
            record.berth.monitorStartTime = ProcessIdentity.startTime(spawned.monitorPid) ?? 0
            record.berth.initStartTime = ProcessIdentity.startTime(spawned.childPid) ?? 0
            record.berth.endpoint = endpoint
            try store.save(record)

            if let childError = spawned.release() {
                failure = (childError.berthError(command: record.path), spawned.monitorPid, true)
            }
            return StartedContainer(record: record, monitorPid: spawned.monitorPid, attach: connection)
        }
        if let failure {
            // The monitor records the exit and cleans up under the lock we just released.
            MonitorProcess.waitForExit(pid: failure.monitorPid, startTime: 0, timeout: 10)
            if failure.execFailed { try markNeverStarted(started.record.id, failure.error) }
            throw failure.error
        }
        return started
    }

    /// A container whose process could not be started (its command not found or not
    /// executable) stays "created" with the exit code and the error, as Docker leaves it: its
    /// task never ran. Gone already when it was `--rm`.
    func markNeverStarted(_ id: ContainerID, _ error: BerthError) throws {
        try paths.withLock {
            guard var record = try? store.resolve(id.rawValue) else { return }
            record.state = .init(status: .created)
            record.state.exitCode = error.exitCode
            let daemon = "Error response from daemon: "  // the CLI's framing, not the state's
            record.state.error = error.message.hasPrefix(daemon) ? String(error.message.dropFirst(daemon.count)) : error.message
            try store.save(record)
        }
    }

    /// Builds the monitor's plan from the records: rootfs, mounts, identity, command.
    func makePlan(record: ContainerRecord, host: HostConfig, winsize: (rows: UInt16, cols: UInt16)?) throws
        -> MonitorPlan
    {
        let id = record.id.rawValue
        let layer = try images.containerLayer(containerID: id)
        let dir = paths.container(id)
        let runDir = paths.containerRun(id)
        var plan = MonitorPlan()
        plan.add("rootfs", layer.mergedDir)
        plan.add("overlay", layer.overlayCwd, layer.overlayData)
        plan.add("namespaces", host.networkMode == "host" ? "mnt,pid,uts,ipc,cgroup" : "mnt,pid,uts,ipc,net,cgroup")

        var mounts = securityMounts(PlannedMount.defaults, host: host, cgroup: Cgroup(id: id))
        // `-v` mounts go first, so a volume on `/etc` does not hide the files below; a user's
        // own mount on one of those files replaces Berth's, as in Docker.
        let userMountList = try userMounts(record: record, host: host)
        mounts += userMountList
        let userTargets = Set(userMountList.map(\.target))
        for file in ["resolv.conf", "hostname", "hosts"] where !userTargets.contains("/etc/" + file) {
            mounts.append(.bind(dir + "/" + file, "/etc/" + file, readOnly: false, file: true))
        }
        for m in mounts {
            if m.targetIsFile { plan.add("mkfile", m.target, "644") }
            plan.add("mount", m.type, m.source, m.target, String(m.flags), m.data)
        }

        try addSecurityRecords(&plan, host: host, containerID: record.id, containerDir: dir)
        plan.add("hostname", record.config.hostname)
        plan.add("cwd", record.config.workingDir.isEmpty ? "/" : record.config.workingDir)
        let user = try UserResolver(images: images, containerID: id).resolve(record.config.user)
        plan.add("user", String(user.uid), String(user.gid), user.groups.map(String.init).joined(separator: ","))
        for a in [record.path] + record.args { plan.add("arg", a) }
        for e in user.environment(record.config.env) { plan.add("env", e) }
        for candidate in executableCandidates(record.path, env: record.config.env) { plan.add("exec", candidate) }
        plan.add("tty", record.config.tty ? "1" : "0")
        plan.add("stdin", record.config.openStdin ? "1" : "0")
        if let winsize { plan.add("winsize", String(winsize.rows), String(winsize.cols)) }
        plan.add("log", dir + "/\(id)-json.log")
        plan.add("attach", runDir + "/attach")
        plan.add("exitfile", runDir + "/exit")
        for a in MonitorProcess.cleanupCommand(id: id, paths: paths) { plan.add("cleanup", a) }
        return plan
    }

    /// `-v` binds and volumes, parents before what is mounted inside them (as Docker sorts
    /// them), each empty volume first filled with the image's content at its path.
    func userMounts(record: ContainerRecord, host: HostConfig) throws -> [PlannedMount] {
        var planned: [(destination: String, mount: PlannedMount)] = []
        for spec in host.binds {
            guard case .bind(let bind) = try MountSpec(parsing: spec) else { continue }  // named volumes: below
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: bind.source, isDirectory: &isDir) {
                // Docker creates a missing bind source as a directory.
                try ensureDirectory(bind.source)
                isDir = true
            }
            planned.append((bind.destination, .bind(bind.source, bind.destination, readOnly: bind.readOnly, file: !isDir.boolValue)))
        }
        let volumes = record.volumeMounts
        for m in volumes where volumeStore.load(m.name) == nil {
            throw BerthError.internalError("get \(m.name): no such volume")
        }
        try populateVolumes(record: record, volumes)
        for m in volumes {
            planned.append((m.destination, .bind(paths.volumeData(m.name), m.destination, readOnly: !m.rw, file: false)))
        }
        func depth(_ p: String) -> Int { p.split(separator: "/").count }
        return planned.enumerated()
            .sorted { (depth($0.element.destination), $0.offset) < (depth($1.element.destination), $1.offset) }
            .map(\.element.mount)
    }

    /// What to publish: the `-p` bindings, plus every exposed port on a random host port
    /// with `-P` (Docker's PublishAllPorts).
    func publishedPorts(_ host: HostConfig, record: ContainerRecord) throws -> [PortMapping] {
        var out: [PortMapping] = []
        for (key, bindings) in host.portBindings.sorted(by: { $0.key < $1.key }) {
            let spec = key.split(separator: "/")
            guard let port = UInt16(spec[0]) else { continue }
            let proto = spec.count > 1 ? String(spec[1]) : "tcp"
            for b in bindings {
                out.append(PortMapping(hostIP: b.hostIp, hostPort: UInt16(b.hostPort) ?? 0, containerPort: port, proto: proto))
            }
        }
        if host.publishAllPorts {
            for key in (record.config.exposedPorts ?? [:]).keys.sorted() where host.portBindings[key] == nil {
                let spec = key.split(separator: "/")
                if let port = UInt16(spec[0]) {
                    out.append(PortMapping(containerPort: port, proto: spec.count > 1 ? String(spec[1]) : "tcp"))
                }
            }
        }
        return out
    }

    /// PATH lookup done before clone, as execvp would do it inside: each candidate in order.
    func executableCandidates(_ command: String, env: [String]) -> [String] {
        if command.contains("/") { return [command] }
        let path = env.first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        return path.split(separator: ":").map { ($0.isEmpty ? "." : String($0)) + "/" + command }
    }
}
