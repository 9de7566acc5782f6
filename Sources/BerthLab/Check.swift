import BerthRuntime

/// A declarative predicate on the state of the machine. A step passes when all its checks
/// hold, however the learner got there. Written in YAML as a one-key mapping:
/// `- container: {name: web, state: running}`.
package indirect enum Check: Codable, Sendable, Equatable {
    case imagePresent(ImageCheck)
    case imageAbsent(ImageCheck)
    case container(ContainerFilter)
    case containerCount(ContainerCount)
    case http(HTTPCheck)
    case exec(ExecCheck)
    case file(FileCheck)
    case layerShared(LayerSharedCheck)
    case volume(VolumeCheck)
    /// Only where the concept *is* a command's output (reading `docker info`).
    case outputContains(OutputCheck)
    /// The learner's last line ran one of these `docker` subcommands (`pull`, `images`,
    /// `container prune`; aliases as `MistakeMatcher` names them): for a step whose state may
    /// already hold when it opens (busybox is there before `docker pull busybox`).
    case command([String])
    /// Passes when any one of the checks does: for steps with more than one right answer
    /// that the state alone cannot tell apart.
    case anyOf([Check])

    /// The YAML spelling of every kind, in the order the docs list them.
    package static let kinds = [
        "image_present", "image_absent", "container", "container_count", "http", "exec", "file",
        "layer_shared", "volume", "output_contains", "command", "any_of",
    ]

    package var kind: String {
        switch self {
        case .imagePresent: "image_present"
        case .imageAbsent: "image_absent"
        case .container: "container"
        case .containerCount: "container_count"
        case .http: "http"
        case .exec: "exec"
        case .file: "file"
        case .layerShared: "layer_shared"
        case .volume: "volume"
        case .outputContains: "output_contains"
        case .command: "command"
        case .anyOf: "any_of"
        }
    }

    /// The check without what only the last command can prove (`output_contains`, `command`),
    /// for judging the state alone (`berth lab check`); nil when nothing is left. An `any_of`
    /// with such a branch is left out whole: that branch might have been the one that held.
    package var stateOnly: Check? {
        switch self {
        case .outputContains, .command: nil
        case .anyOf(let checks): checks.allSatisfy { $0.stateOnly == $0 } ? self : nil
        default: self
        }
    }

    /// Whether evaluating it may take longer than a state read (network, a process).
    package var isSlow: Bool {
        switch self {
        case .http, .exec: true
        case .anyOf(let checks): checks.contains { $0.isSlow }
        default: false
        }
    }
}

/// `image_present: busybox` or `{ref: mybox:v1, same_as: busybox}`.
package struct ImageCheck: Codable, Sendable, Equatable {
    package var ref: String
    /// The image must be the very same image (same ID) as this one.
    package var sameAs: String?

    package init(ref: String, sameAs: String? = nil) {
        self.ref = ref
        self.sameAs = sameAs
    }
}

/// Which containers a check is about, and what must be true of them. `container` passes when
/// at least one container meets every condition; `container_count` counts those that do.
package struct ContainerFilter: Codable, Sendable, Equatable {
    // Selectors.
    package var name: String?
    /// The image as typed at `create`/`run`, compared after normalising (`busybox` = `busybox:latest`).
    package var image: String?
    /// The image by identity: any container whose image ID is this image's ID.
    package var ancestor: String?
    /// Only containers the current chapter's commands created (`in_chapter: true`), so a
    /// count is not about other chapters' containers or the learner's own.
    package var inChapter: Bool?
    // Conditions.
    package var states: [ContainerStatus]?
    package var exitCode: Int32?
    package var exitCodeNot: Int32?
    package var tty: Bool?
    package var interactive: Bool?
    package var autoRemove: Bool?
    package var ports: [PortExpectation]
    /// A run of words that must appear, in order, in the container's command (path + args).
    package var cmd: [String]?

    package init(
        name: String? = nil, image: String? = nil, ancestor: String? = nil, inChapter: Bool? = nil,
        states: [ContainerStatus]? = nil,
        exitCode: Int32? = nil, exitCodeNot: Int32? = nil, tty: Bool? = nil, interactive: Bool? = nil,
        autoRemove: Bool? = nil, ports: [PortExpectation] = [], cmd: [String]? = nil
    ) {
        self.name = name
        self.image = image
        self.ancestor = ancestor
        self.inChapter = inChapter
        self.states = states
        self.exitCode = exitCode
        self.exitCodeNot = exitCodeNot
        self.tty = tty
        self.interactive = interactive
        self.autoRemove = autoRemove
        self.ports = ports
        self.cmd = cmd
    }
}

/// One published port a container must have: `{container: 80/tcp, host: "8080", host_ip: 127.0.0.1}`.
/// Unset fields accept anything, so "any free host port" is the default.
package struct PortExpectation: Codable, Sendable, Equatable {
    /// `80/tcp` (a bare `80` is read as tcp).
    package var container: String
    package var host: String?
    package var hostIP: String?
    /// The host port was left to the runtime (`-p 80`).
    package var random: Bool?

    package init(container: String, host: String? = nil, hostIP: String? = nil, random: Bool? = nil) {
        self.container = PortExpectation.normalise(container)
        self.host = host
        self.hostIP = hostIP
        self.random = random
    }

    package static func normalise(_ port: String) -> String {
        port.contains("/") ? port.lowercased() : port + "/tcp"
    }
}

package struct ContainerCount: Codable, Sendable, Equatable {
    package enum Comparison: Codable, Sendable, Equatable {
        case equals(Int), atLeast(Int), atMost(Int)

        package func holds(_ n: Int) -> Bool {
            switch self {
            case .equals(let m): n == m
            case .atLeast(let m): n >= m
            case .atMost(let m): n <= m
            }
        }
    }

    package var filter: ContainerFilter
    package var comparison: Comparison

    package init(filter: ContainerFilter, comparison: Comparison) {
        self.filter = filter
        self.comparison = comparison
    }
}

/// An HTTP GET, either at a fixed URL or through whatever host port a container publishes.
package struct HTTPCheck: Codable, Sendable, Equatable {
    package enum Target: Codable, Sendable, Equatable {
        case url(String)
        /// Follows the binding of `containerPort` on a running container that matches `filter`.
        case published(filter: ContainerFilter, containerPort: String, hostIP: String?)
    }

    package var target: Target
    package var path: String
    package var status: Int?
    package var bodyContains: String?

    package init(target: Target, path: String = "/", status: Int? = nil, bodyContains: String? = nil) {
        self.target = target
        self.path = path
        self.status = status
        self.bodyContains = bodyContains
    }
}

/// Runs a command in a running container and looks at its result.
package struct ExecCheck: Codable, Sendable, Equatable {
    package var container: ContainerFilter
    package var command: [String]
    package var stdoutContains: String?
    package var status: Int32?

    package init(container: ContainerFilter, command: [String], stdoutContains: String? = nil, status: Int32? = nil) {
        self.container = container
        self.command = command
        self.stdoutContains = stdoutContains
        self.status = status
    }
}

/// A file in a container's filesystem (read from its layers, not through the container),
/// in an image, or on the host.
package struct FileCheck: Codable, Sendable, Equatable {
    package enum Location: Codable, Sendable, Equatable {
        /// `onlyContainerLayer`: the file must be in the container's own (upper) layer.
        case container(ContainerFilter, onlyContainerLayer: Bool)
        case image(String)
        /// Inside a volume's directory; `path` is from the volume's root.
        case volume(String)
        case host
    }

    package var location: Location
    /// Absolute path; `*` and `?` may appear in the last component.
    package var path: String
    package var exists: Bool
    package var contains: String?

    package init(location: Location, path: String, exists: Bool = true, contains: String? = nil) {
        self.location = location
        self.path = path
        self.exists = exists
        self.contains = contains
    }
}

/// `volume: data` (it exists), `{name: data, exists: false}`, `{name: data, used_by: web}`
/// (the container mounts it). Files in a volume are a `file` check with `volume: NAME`.
package struct VolumeCheck: Codable, Sendable, Equatable {
    package var name: String
    package var exists: Bool
    package var usedBy: String?

    package init(name: String, exists: Bool = true, usedBy: String? = nil) {
        self.name = name
        self.exists = exists
        self.usedBy = usedBy
    }
}

/// The images' first `layers` layers are the same layers (by chain ID), and are on disk.
/// With one image: its first `layers` layers are on disk.
package struct LayerSharedCheck: Codable, Sendable, Equatable {
    package var images: [String]
    /// Default: every layer of the first image.
    package var layers: Int?

    package init(images: [String], layers: Int? = nil) {
        self.images = images
        self.layers = layers
    }
}

/// The last command's output contains a text or matches a regular expression. Both may use
/// placeholders such as `${root}` or `${id web}` (see `Placeholder`).
package struct OutputCheck: Codable, Sendable, Equatable {
    package enum Match: Codable, Sendable, Equatable {
        case text(String)
        case regex(String)
    }

    package var match: Match

    package init(_ match: Match) { self.match = match }
}
