import BerthCore
import BerthImages
import BerthNetwork
import Foundation

extension Runtime {
    /// `docker create`: resolves the image (building a seed image when the name is one),
    /// reserves the name, prepares the container layer and writes the records.
    /// Throws Docker's conflict error when the name is taken; a failure leaves nothing behind.
    public func create(_ spec: ContainerSpec) throws -> ContainerRecord {
        try create(spec, image: try resolveImage(spec.image))
    }

    /// `create` on an image already resolved (the builder's step containers run on image IDs).
    package func create(_ spec: ContainerSpec, image: Image) throws -> ContainerRecord {
        let defaults = ImageDefaults(image)
        if let name = spec.name, !NameResolver.isValidName(name) { throw BerthError.invalidName(name) }
        let (entrypoint, cmd) = commandLine(spec: spec, image: defaults)
        guard let path = (entrypoint + cmd).first else {
            throw BerthError.daemon("No command specified", exitCode: 125)
        }
        let mounts = try spec.binds.map { try MountSpec(parsing: $0) }
        var destinations: Set<String> = []
        for m in mounts where !destinations.insert(m.destination).inserted {
            throw BerthError.duplicateMountPoint(m.destination)
        }
        let imageVolumes = (image.config.config?.volumes ?? [:]).keys.sorted()
        let ports = try spec.publish.map { try PortMapping(parsing: $0) }
        let networkMode = spec.network ?? "default"
        guard ["default", "bridge", "none", "host"].contains(networkMode) else {
            throw BerthError.daemon("network \(networkMode) not found", exitCode: 125)
        }
        if networkMode == "none" || networkMode == "host", !ports.isEmpty || spec.publishAll {
            throw BerthError.daemon("conflicting options: port publishing and the container type network mode", exitCode: 125)
        }

        return try paths.withLock {
            let existing = store.all()
            let name: String
            if let wanted = spec.name {
                if let holder = existing.first(where: { $0.displayName == wanted }) {
                    throw BerthError.nameInUse(wanted, by: holder.id.rawValue)
                }
                name = wanted
            } else {
                let taken = Set(existing.map(\.displayName))
                var candidate = RandomName.make()
                while taken.contains(candidate) { candidate = RandomName.make() + "\(Int.random(in: 0...9))" }
                name = candidate
            }
            let id = ContainerID.random()
            var configVolumes: [String: EmptyJSON] = [:]
            for path in imageVolumes { configVolumes[path] = EmptyJSON() }
            for case .anonymous(let path) in mounts { configVolumes[path] = EmptyJSON() }
            let hostname = spec.hostname ?? id.short
            var record = ContainerRecord(
                id: id, created: Timestamp.now(), path: path, args: Array((entrypoint + cmd).dropFirst()),
                state: .init(status: .created), image: defaults.imageID, name: "/" + name, restartCount: 0,
                driver: "overlay2",
                config: .init(
                    hostname: hostname, user: spec.user ?? defaults.user,
                    attachStdin: spec.interactive, attachStdout: true, attachStderr: true, tty: spec.tty,
                    openStdin: spec.interactive, stdinOnce: spec.interactive,
                    env: mergedEnv(image: defaults.env, user: spec.env, hostname: hostname, tty: spec.tty),
                    cmd: cmd.isEmpty ? nil : cmd, image: spec.image,
                    workingDir: spec.workdir ?? defaults.workingDir,
                    entrypoint: entrypoint.isEmpty ? nil : entrypoint,
                    labels: defaults.labels.merging(spec.labels) { $1 }
                        // `berth lab` labels what a chapter creates, so `:reset` removes only that.
                        .merging(ProcessInfo.processInfo.environment["BERTH_LAB_LABEL"].map { ["berth.lab.chapter": $0] } ?? [:]) { $1 },
                    // Docker adds every published port to the image's exposed ones.
                    exposedPorts: ports.isEmpty
                        ? defaults.exposedPorts
                        : ports.reduce(into: defaults.exposedPorts ?? [:]) { $0[$1.key] = EmptyJSON() },
                    volumes: configVolumes.isEmpty ? nil : configVolumes),
                berth: .init())
            // Docker keeps `Binds` as typed (binds and named volumes; `-v /path` is in Config.Volumes).
            let typed = zip(spec.binds, mounts).filter { if case .anonymous = $0.1 { false } else { true } }.map(\.0)
            var host = HostConfig(binds: typed, autoRemove: spec.autoRemove, networkMode: networkMode)
            host.publishAllPorts = spec.publishAll
            try host.applySecurity(spec, defaultPidsLimit: defaultPidsLimit)
            for p in ports {
                host.portBindings[p.key, default: []].append(
                    .init(hostIp: p.hostIP, hostPort: p.hostPort == 0 ? "" : String(p.hostPort)))
            }

            let dir = paths.container(id.rawValue)
            var createdVolumes: [String] = []
            do {
                let points = try prepareVolumesLocked(mounts, imageVolumes: imageVolumes, created: &createdVolumes)
                record.mountPoints = points.isEmpty ? nil : points
                try ensureDirectory(dir, mode: 0o710)
                _ = try images.prepareContainerLayer(containerID: id.rawValue, image: image)
                try writeEtcFiles(dir: dir, hostname: hostname)
                try store.save(host, for: id)
                try store.save(record)  // last: a record on disk means a complete container
            } catch {
                try? images.removeContainerLayer(containerID: id.rawValue)
                try? FileManager.default.removeItem(atPath: dir)
                for v in createdVolumes { try? volumeStore.remove(v) }
                throw error
            }
            return record
        }
    }

    /// The image for a reference, building a seed image the first time its name is used.
    func resolveImage(_ ref: String) throws -> Image {
        let reference = try ImageReference(parsing: ref)
        let found: Image?
        do {
            found = try images.image(ref)
        } catch {
            guard error.message.hasPrefix(BerthError.noSuchImage("").message) else { throw error }
            found = nil
        }
        if let found { return found }
        if let seed = SeedImage(reference: ref) { return try images.ensureSeed(seed) }
        let console = Console.current
        console.err("Unable to find image '\(reference.familiar)' locally")
        // Docker pulls, printing the pull's lines on stderr; its errors exit 125 from `run`.
        do {
            let progress = PullProgress(fd: console.errFD, terminal: isatty(console.errFD) == 1)
            return try images.pull(reference, options: try PullOptions.fromEnvironment(), progress: progress).image
        } catch {
            throw BerthError(message: error.message, exitCode: 125, detail: error.detail)
        }
    }

    /// Docker's rule: `--entrypoint` replaces the image's entrypoint and drops its Cmd;
    /// arguments after the image replace Cmd.
    func commandLine(spec: ContainerSpec, image: ImageDefaults) -> (entrypoint: [String], cmd: [String]) {
        if let ep = spec.entrypoint {
            return (ep.isEmpty ? [] : [ep], spec.command)
        }
        return (image.entrypoint, spec.command.isEmpty ? image.cmd : spec.command)
    }

    /// Image env, then `-e` (a bare `-e KEY` copies the host's value, as Docker does);
    /// `HOSTNAME`, and `TERM` for a TTY, like Docker adds them.
    func mergedEnv(image: [String], user: [String], hostname: String, tty: Bool) -> [String] {
        var order: [String] = []
        var values: [String: String] = [:]
        func set(_ key: String, _ value: String) {
            if values[key] == nil { order.append(key) }
            values[key] = value
        }
        set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        set("HOSTNAME", hostname)
        if tty { set("TERM", "xterm") }
        for e in image {
            let kv = e.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            set(String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
        }
        for e in user {
            let kv = e.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if kv.count > 1 {
                set(String(kv[0]), String(kv[1]))
            } else if let host = ProcessInfo.processInfo.environment[String(kv[0])] {
                set(String(kv[0]), host)
            }
        }
        return order.map { "\($0)=\(values[$0]!)" }
    }

    /// `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf` live in the container's directory
    /// and are bind-mounted in, as Docker does, so the image layers are never touched.
    func writeEtcFiles(dir: String, hostname: String) throws {
        try AtomicFile.write(hostname + "\n", to: dir + "/hostname")
        try AtomicFile.write(EtcHosts.render(hostname: hostname, address: nil), to: dir + "/hosts")
        let resolv = (try? String(contentsOfFile: "/etc/resolv.conf", encoding: .utf8)) ?? ""
        try AtomicFile.write(resolv, to: dir + "/resolv.conf")
    }
}

/// `/etc/hosts` as Docker writes it.
enum EtcHosts {
    static func render(hostname: String, address: String?) -> String {
        var s = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters

            """
        if let address { s += "\(address)\t\(hostname)\n" }
        return s
    }
}
