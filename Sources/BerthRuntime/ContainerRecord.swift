import BerthCore
import BerthNetwork
import Foundation

/// What `containers/<id>/config.v2.json` holds: the same keys as Docker's, so `inspect`
/// output and the storage lesson look the same, plus a `Berth` section for the monitor.
public struct ContainerRecord: Codable, Sendable {
    public var id: ContainerID
    public var created: String
    public var path: String
    public var args: [String]
    public var state: State
    public var image: String  // "sha256:<id>"
    public var name: String  // "/name", as Docker stores it
    public var restartCount: Int
    public var driver: String
    public var config: Config
    public var berth: BerthState
    /// Volumes mounted into the container, by destination (Docker's `MountPoints`; binds
    /// stay in `HostConfig.Binds`). Absent in records written before volumes existed.
    public var mountPoints: [String: MountPoint]?

    enum CodingKeys: String, CodingKey {
        case id = "ID", created = "Created", path = "Path", args = "Args", state = "State"
        case image = "Image", name = "Name", restartCount = "RestartCount", driver = "Driver"
        case config = "Config", berth = "Berth", mountPoints = "MountPoints"
    }

    /// One volume mount, as Docker's config.v2.json records it.
    public struct MountPoint: Codable, Sendable, Equatable {
        public var type = "volume"
        public var name: String
        public var source: String
        public var destination: String
        public var driver = "local"
        public var rw: Bool
        /// `z` for `-v NAME:/path`, `ro` with `:ro`, empty for anonymous volumes (as inspect shows).
        public var mode: String
        /// Whether the image's content at `destination` is copied into an empty volume (`:nocopy` turns it off).
        public var copyData: Bool

        enum CodingKeys: String, CodingKey {
            case type = "Type", name = "Name", source = "Source", destination = "Destination", driver = "Driver"
            case rw = "RW", mode = "Relabel", copyData = "CopyData"
        }

        public init(name: String, source: String, destination: String, rw: Bool, mode: String, copyData: Bool) {
            self.name = name
            self.source = source
            self.destination = destination
            self.rw = rw
            self.mode = mode
            self.copyData = copyData
        }
    }

    /// Volume mounts in mount order: parents before what is mounted inside them.
    public var volumeMounts: [MountPoint] {
        (mountPoints ?? [:]).values.sorted { ($0.destination.split(separator: "/").count, $0.destination) < ($1.destination.split(separator: "/").count, $1.destination) }
    }

    public struct State: Codable, Sendable {
        public var status: ContainerStatus
        public var running: Bool { status == .running }
        public var paused = false
        public var restarting = false
        public var oomKilled = false
        public var dead = false
        public var pid: Int32 = 0
        public var exitCode: Int32 = 0
        public var error = ""
        public var startedAt = zeroTime
        public var finishedAt = zeroTime

        enum CodingKeys: String, CodingKey {
            case status = "Status", running = "Running", paused = "Paused", restarting = "Restarting"
            case oomKilled = "OOMKilled", dead = "Dead", pid = "Pid", exitCode = "ExitCode", error = "Error"
            case startedAt = "StartedAt", finishedAt = "FinishedAt"
        }

        public init(status: ContainerStatus) { self.status = status }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = try c.decode(ContainerStatus.self, forKey: .status)
            paused = try c.decodeIfPresent(Bool.self, forKey: .paused) ?? false
            restarting = try c.decodeIfPresent(Bool.self, forKey: .restarting) ?? false
            oomKilled = try c.decodeIfPresent(Bool.self, forKey: .oomKilled) ?? false
            dead = try c.decodeIfPresent(Bool.self, forKey: .dead) ?? false
            pid = try c.decodeIfPresent(Int32.self, forKey: .pid) ?? 0
            exitCode = try c.decodeIfPresent(Int32.self, forKey: .exitCode) ?? 0
            error = try c.decodeIfPresent(String.self, forKey: .error) ?? ""
            startedAt = try c.decodeIfPresent(String.self, forKey: .startedAt) ?? zeroTime
            finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt) ?? zeroTime
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(running, forKey: .running)
            try c.encode(paused, forKey: .paused)
            try c.encode(restarting, forKey: .restarting)
            try c.encode(oomKilled, forKey: .oomKilled)
            try c.encode(dead, forKey: .dead)
            try c.encode(pid, forKey: .pid)
            try c.encode(exitCode, forKey: .exitCode)
            try c.encode(error, forKey: .error)
            try c.encode(startedAt, forKey: .startedAt)
            try c.encode(finishedAt, forKey: .finishedAt)
        }
    }

    /// The container's `Config` as Docker records it (what was asked for, merged with the image).
    public struct Config: Codable, Sendable {
        public var hostname: String
        public var domainname = ""
        public var user: String
        public var attachStdin: Bool
        public var attachStdout: Bool
        public var attachStderr: Bool
        public var tty: Bool
        public var openStdin: Bool
        public var stdinOnce: Bool
        public var env: [String]
        public var cmd: [String]?
        public var image: String  // as the user typed it
        public var workingDir: String
        public var entrypoint: [String]?
        public var labels: [String: String]
        public var exposedPorts: [String: EmptyJSON]?
        /// Paths that get an anonymous volume: the image's `VOLUME`s and `-v /path`.
        public var volumes: [String: EmptyJSON]? = nil

        enum CodingKeys: String, CodingKey {
            case hostname = "Hostname", domainname = "Domainname", user = "User"
            case attachStdin = "AttachStdin", attachStdout = "AttachStdout", attachStderr = "AttachStderr"
            case tty = "Tty", openStdin = "OpenStdin", stdinOnce = "StdinOnce", env = "Env", cmd = "Cmd"
            case image = "Image", workingDir = "WorkingDir", entrypoint = "Entrypoint", labels = "Labels"
            case exposedPorts = "ExposedPorts", volumes = "Volumes"
        }
    }

    /// Berth's own bookkeeping: which monitor owns the container, and how to tell that the
    /// PIDs it recorded still belong to the same processes (start times guard against reuse).
    public struct BerthState: Codable, Sendable {
        public var monitorPid: Int32 = 0
        public var monitorStartTime: UInt64 = 0
        public var initStartTime: UInt64 = 0
        /// The container's place on the bridge while it runs; teardown undoes exactly this.
        public var endpoint: Endpoint?
        enum CodingKeys: String, CodingKey {
            case monitorPid = "MonitorPid", monitorStartTime = "MonitorStartTime", initStartTime = "InitStartTime"
            case endpoint = "Endpoint"
        }
        public init() {}
    }

    public var shortID: String { id.short }
    public var displayName: String { name.hasPrefix("/") ? String(name.dropFirst()) : name }
}

/// Docker writes `{}` for set-like maps (`ExposedPorts`, `Volumes`).
public struct EmptyJSON: Codable, Sendable, Equatable {
    public init() {}
    public init(from decoder: Decoder) throws {}
    public func encode(to encoder: Encoder) throws { _ = encoder.container(keyedBy: CodingKeysNone.self) }
    enum CodingKeysNone: CodingKey {}
}

/// Go's zero time, which Docker prints for "never".
public let zeroTime = "0001-01-01T00:00:00Z"

/// Docker tags `ExposedPorts` `omitempty`; a nil `Cmd`, `Entrypoint` or `Volumes` prints `null`.
extension ContainerRecord.Config.CodingKeys: OmitEmptyCodingKey {
    package var omitsEmpty: Bool { self == .exposedPorts }
}
