import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// The real state, read through `Runtime` and `ImageStore` — never by running the CLI and
/// parsing what it prints. Caches for the length of one evaluation, so a step with five
/// checks reads the container records once.
package final class LiveLabState: LabStateReader {
    let paths: StatePaths
    let runtime: Runtime
    private var cachedContainers: [ContainerFacts]?
    private var cachedDetails: [String: ContainerDetails] = [:]
    private var cachedImages: [String: ImageFacts?] = [:]

    package init(paths: StatePaths) {
        self.paths = paths
        self.runtime = Runtime(paths: paths)
    }

    package var stateRoot: String { paths.root }

    package func containers() throws -> [ContainerFacts] {
        if let cachedContainers { return cachedContainers }
        let facts = try runtime.containers().map { record in
            let host = try? runtime.hostConfig(record.id)
            return ContainerFacts(
                id: record.id.rawValue, name: record.displayName, imageRef: record.config.image,
                imageID: record.image, status: record.state.status, exitCode: record.state.exitCode,
                tty: record.config.tty, interactive: record.config.openStdin, autoRemove: host?.autoRemove ?? false,
                command: [record.path] + record.args, hostname: record.config.hostname,
                portBindings: (host?.portBindings ?? [:]).mapValues { $0.map(PortBindingFacts.init) },
                labChapter: record.config.labels[LabSession.chapterLabel])
        }
        cachedContainers = facts
        return facts
    }

    package func details(of container: ContainerFacts) throws -> ContainerDetails {
        if let d = cachedDetails[container.id] { return d }
        let inspect = try runtime.inspect(container.id)
        let data = inspect.graphDriver.data
        let lower = (data["LowerDir"] ?? "").split(separator: ":").map(String.init)
        let published = inspect.networkSettings.ports.compactMapValues { bindings in
            bindings?.map(PortBindingFacts.init)
        }
        let d = ContainerDetails(
            upperDir: data["UpperDir"].flatMap { $0.isEmpty ? nil : $0 }, lowerDirs: lower,
            ipAddress: inspect.networkSettings.ipAddress, publishedPorts: published)
        cachedDetails[container.id] = d
        return d
    }

    package func image(_ ref: String) throws -> ImageFacts? {
        if let cached = cachedImages[ref] { return cached }
        let facts = try loadImage(ref)
        cachedImages[ref] = facts
        return facts
    }

    package func volume(_ name: String) throws -> VolumeFacts? {
        guard let v = try? runtime.volume(name) else { return nil }
        return VolumeFacts(name: v.name, mountpoint: v.mountpoint, users: try runtime.volumeUsers()[name] ?? [])
    }

    package func exec(in container: ContainerFacts, _ argv: [String]) throws -> (status: Int32, stdout: String) {
        try runtime.execCapture(container.id, argv)
    }
}

extension PortBindingFacts {
    init(_ b: HostConfig.PortBinding) { self.init(hostIP: b.hostIp, hostPort: b.hostPort) }
}
