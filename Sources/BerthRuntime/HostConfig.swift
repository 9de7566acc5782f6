/// `containers/<id>/hostconfig.json`: how the container is wired to the host.
public struct HostConfig: Codable, Sendable {
    public var binds: [String]
    public var autoRemove: Bool
    public var networkMode: String
    public var portBindings: [String: [PortBinding]]
    public var privileged: Bool

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
        case portBindings = "PortBindings", privileged = "Privileged"
    }

    public init(binds: [String] = [], autoRemove: Bool = false, networkMode: String = "default") {
        self.binds = binds
        self.autoRemove = autoRemove
        self.networkMode = networkMode
        self.portBindings = [:]
        self.privileged = false
    }
}
