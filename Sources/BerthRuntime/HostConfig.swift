import BerthCore

/// `containers/<id>/hostconfig.json`: how the container is wired to the host.
public struct HostConfig: Codable, Sendable {
    public var binds: [String]
    public var autoRemove: Bool
    public var networkMode: String
    public var portBindings: [String: [PortBinding]]
    public var privileged: Bool
    public var publishAllPorts: Bool
    /// Security and resources (Docker's names; nil or absent on disk means Docker's default).
    public var capAdd: [String]?
    public var capDrop: [String]?
    public var securityOpt: [String]?
    public var readonlyRootfs: Bool?
    public var tmpfs: [String: String]?
    public var shmSize: Int64?
    public var memory: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var pidsLimit: Int64?

    public struct PortBinding: Codable, Sendable, Equatable {
        public var hostIp: String
        public var hostPort: String
        enum CodingKeys: String, CodingKey { case hostIp = "HostIp", hostPort = "HostPort" }
        public init(hostIp: String, hostPort: String) {
            self.hostIp = hostIp
            self.hostPort = hostPort
        }
    }

    enum CodingKeys: String, CodingKey {
        case binds = "Binds", autoRemove = "AutoRemove", networkMode = "NetworkMode"
        case portBindings = "PortBindings", privileged = "Privileged", publishAllPorts = "PublishAllPorts"
        case capAdd = "CapAdd", capDrop = "CapDrop", securityOpt = "SecurityOpt", readonlyRootfs = "ReadonlyRootfs"
        case tmpfs = "Tmpfs", shmSize = "ShmSize", memory = "Memory", memorySwap = "MemorySwap"
        case nanoCpus = "NanoCpus", pidsLimit = "PidsLimit"
    }

    /// Every field is optional on disk, so records written before a field existed still load.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        binds = try c.decodeIfPresent([String].self, forKey: .binds) ?? []
        autoRemove = try c.decodeIfPresent(Bool.self, forKey: .autoRemove) ?? false
        networkMode = try c.decodeIfPresent(String.self, forKey: .networkMode) ?? "default"
        portBindings = try c.decodeIfPresent([String: [PortBinding]].self, forKey: .portBindings) ?? [:]
        privileged = try c.decodeIfPresent(Bool.self, forKey: .privileged) ?? false
        publishAllPorts = try c.decodeIfPresent(Bool.self, forKey: .publishAllPorts) ?? false
        try decodeSecurity(c)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(binds, forKey: .binds)
        try c.encode(autoRemove, forKey: .autoRemove)
        try c.encode(networkMode, forKey: .networkMode)
        try c.encode(portBindings, forKey: .portBindings)
        try c.encode(privileged, forKey: .privileged)
        try c.encode(publishAllPorts, forKey: .publishAllPorts)
        try encodeSecurity(&c)
    }

    public init(binds: [String] = [], autoRemove: Bool = false, networkMode: String = "default") {
        self.binds = binds
        self.autoRemove = autoRemove
        self.networkMode = networkMode
        self.portBindings = [:]
        self.privileged = false
        self.publishAllPorts = false
    }
}

/// Docker tags `Tmpfs` `omitempty`; nil `CapAdd`, `CapDrop`, `SecurityOpt` print `null`.
extension HostConfig.CodingKeys: OmitEmptyCodingKey {
    package var omitsEmpty: Bool { self == .tmpfs }
}
