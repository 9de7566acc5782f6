import BerthRuntime

/// What the checker reads: a snapshot of containers and images. `LiveLabState` reads the real
/// state store through the runtime's and image store's query API; tests can read a fixture.
/// One instance serves one evaluation, so it may cache what it read.
package protocol LabStateReader {
    /// The state root (`docker info`'s root dir), for `${root}`.
    var stateRoot: String { get }
    /// Every container, newest first.
    func containers() throws -> [ContainerFacts]
    /// What takes longer to find out about one container (its layers, its network).
    func details(of container: ContainerFacts) throws -> ContainerDetails
    /// The image a reference names, or nil when there is none.
    func image(_ ref: String) throws -> ImageFacts?
    /// The volume of that name, or nil when there is none.
    func volume(_ name: String) throws -> VolumeFacts?
    /// Runs `argv` in a running container: its exit status and stdout.
    func exec(in container: ContainerFacts, _ argv: [String]) throws -> (status: Int32, stdout: String)
}

package struct ContainerFacts: Sendable, Equatable {
    package var id: String  // 64 hex digits
    package var name: String
    /// The image as typed at create time.
    package var imageRef: String
    /// "sha256:…"
    package var imageID: String
    package var status: ContainerStatus
    package var exitCode: Int32
    package var tty: Bool
    package var interactive: Bool
    package var autoRemove: Bool
    /// Path and arguments of the main process.
    package var command: [String]
    package var hostname: String
    /// `-p` as asked for: container port ("80/tcp") → bindings; a random host port is "".
    package var portBindings: [String: [PortBindingFacts]]
    /// The lab chapter whose command created it (the `berth.lab.chapter` label), if any.
    package var labChapter: String?

    package init(
        id: String, name: String, imageRef: String, imageID: String, status: ContainerStatus, exitCode: Int32 = 0,
        tty: Bool = false, interactive: Bool = false, autoRemove: Bool = false, command: [String] = [],
        hostname: String = "", portBindings: [String: [PortBindingFacts]] = [:],
        labChapter: String? = nil
    ) {
        self.labChapter = labChapter
        self.id = id
        self.name = name
        self.imageRef = imageRef
        self.imageID = imageID
        self.status = status
        self.exitCode = exitCode
        self.tty = tty
        self.interactive = interactive
        self.autoRemove = autoRemove
        self.command = command
        self.hostname = hostname
        self.portBindings = portBindings
    }
}

package struct PortBindingFacts: Sendable, Equatable {
    package var hostIP: String
    package var hostPort: String

    package init(hostIP: String, hostPort: String) {
        self.hostIP = hostIP
        self.hostPort = hostPort
    }
}

package struct ContainerDetails: Sendable, Equatable {
    /// The container's own writable layer.
    package var upperDir: String?
    /// The image's layers, top first.
    package var lowerDirs: [String]
    package var ipAddress: String
    /// Bindings as they are now (random host ports filled in), when the container runs.
    package var publishedPorts: [String: [PortBindingFacts]]

    package init(
        upperDir: String? = nil, lowerDirs: [String] = [], ipAddress: String = "",
        publishedPorts: [String: [PortBindingFacts]] = [:]
    ) {
        self.upperDir = upperDir
        self.lowerDirs = lowerDirs
        self.ipAddress = ipAddress
        self.publishedPorts = publishedPorts
    }
}

package struct ImageFacts: Sendable, Equatable {
    package var id: String  // "sha256:…"
    package var repoTags: [String]
    /// Bottom layer first, as in the image config.
    package var layers: [LayerFacts]

    package init(id: String, repoTags: [String] = [], layers: [LayerFacts] = []) {
        self.id = id
        self.repoTags = repoTags
        self.layers = layers
    }

    package var shortID: String { String(id.drop { $0 != ":" }.dropFirst().prefix(12)) }
}

package struct VolumeFacts: Sendable, Equatable {
    package var name: String
    /// The volume's directory on the host (`<root>/volumes/NAME/_data`).
    package var mountpoint: String
    /// IDs of the containers (running or not) that mount it.
    package var users: [String]

    package init(name: String, mountpoint: String, users: [String] = []) {
        self.name = name
        self.mountpoint = mountpoint
        self.users = users
    }
}

package struct LayerFacts: Sendable, Equatable {
    package var chainID: String
    /// The layer's files, when it is on disk.
    package var diffDir: String?
    package var onDisk: Bool

    package init(chainID: String, diffDir: String?, onDisk: Bool) {
        self.chainID = chainID
        self.diffDir = diffDir
        self.onDisk = onDisk
    }
}
