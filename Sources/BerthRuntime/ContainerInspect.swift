import BerthCore
import BerthNetwork
import Foundation

/// `docker inspect CONTAINER`: the record in the shape of Docker's ContainerJSON, fields in its order
/// (inspect prints them in declaration order, as Go marshals a struct).
public struct ContainerInspect: Encodable, Sendable {
    public var id: String
    public var created: String
    public var path: String
    public var args: [String]
    public var state: ContainerRecord.State
    public var image: String
    public var resolvConfPath: String
    public var hostnamePath: String
    public var hostsPath: String
    public var logPath: String
    public var name: String
    public var restartCount: Int
    public var driver: String
    public var platform = "linux"
    public var mountLabel = ""
    public var processLabel = ""
    public var appArmorProfile = ""
    public var execIDs: [String]? = nil
    public var hostConfig: HostConfig
    public var graphDriver: GraphDriver
    public var mounts: [Mount]
    public var config: ContainerRecord.Config
    public var networkSettings: NetworkSettings

    enum CodingKeys: String, CodingKey {
        case id = "Id", created = "Created", path = "Path", args = "Args", state = "State", image = "Image"
        case resolvConfPath = "ResolvConfPath", hostnamePath = "HostnamePath", hostsPath = "HostsPath"
        case logPath = "LogPath", name = "Name", restartCount = "RestartCount", driver = "Driver"
        case platform = "Platform", mountLabel = "MountLabel", processLabel = "ProcessLabel"
        case appArmorProfile = "AppArmorProfile", execIDs = "ExecIDs", hostConfig = "HostConfig", graphDriver = "GraphDriver", mounts = "Mounts"
        case config = "Config", networkSettings = "NetworkSettings"
    }

    public struct GraphDriver: Encodable, Sendable {
        public var data: [String: String]
        public var name = "overlay2"
        enum CodingKeys: String, CodingKey { case data = "Data", name = "Name" }
    }

    /// Docker's `MountPoint`: binds carry no `Name`/`Driver`; volumes carry no propagation.
    public struct Mount: Encodable, Sendable {
        public var type = "bind"
        public var name: String?
        public var source: String
        public var destination: String
        public var driver: String?
        public var mode: String
        public var rw: Bool
        public var propagation = "rprivate"
        enum CodingKeys: String, CodingKey {
            case type = "Type", name = "Name", source = "Source", destination = "Destination", driver = "Driver"
            case mode = "Mode", rw = "RW", propagation = "Propagation"
        }
    }

    /// Filled by the networking work; the shape is Docker's so templates already work.
    public struct NetworkSettings: Encodable, Sendable {
        public var ipAddress = ""
        public var gateway = ""
        public var macAddress = ""
        public var ipPrefixLen = 0
        public var ports: [String: [HostConfig.PortBinding]?] = [:]
        public var networks: [String: EndpointSettings] = [:]
        enum CodingKeys: String, CodingKey {
            case ipAddress = "IPAddress", gateway = "Gateway", macAddress = "MacAddress", ports = "Ports"
            case ipPrefixLen = "IPPrefixLen", networks = "Networks"
        }
    }

    public struct EndpointSettings: Encodable, Sendable {
        public var ipAddress = ""
        public var gateway = ""
        public var macAddress = ""
        public var ipPrefixLen = 0
        enum CodingKeys: String, CodingKey {
            case ipAddress = "IPAddress", gateway = "Gateway", macAddress = "MacAddress", ipPrefixLen = "IPPrefixLen"
        }
    }
}

extension Runtime {
    public func inspect(_ ref: String) throws -> ContainerInspect {
        let r = try container(ref)
        let host = try store.hostConfig(r.id)
        let dir = paths.container(r.id.rawValue)
        let layer = try? images.containerLayer(containerID: r.id.rawValue)
        var mounts: [ContainerInspect.Mount] = []
        for spec in host.binds {
            guard case .bind(let b) = try? MountSpec(parsing: spec) else { continue }
            mounts.append(.init(source: b.source, destination: b.destination, mode: b.readOnly ? "ro" : "", rw: !b.readOnly))
        }
        for m in r.volumeMounts {
            mounts.append(.init(
                type: "volume", name: m.name, source: paths.volumeData(m.name), destination: m.destination,
                driver: m.driver, mode: m.mode, rw: m.rw, propagation: ""))
        }
        return ContainerInspect(
            id: r.id.rawValue, created: r.created, path: r.path, args: r.args, state: r.state, image: r.image,
            resolvConfPath: dir + "/resolv.conf", hostnamePath: dir + "/hostname", hostsPath: dir + "/hosts",
            logPath: logPath(r), name: r.name, restartCount: r.restartCount, driver: r.driver, hostConfig: host,
            graphDriver: .init(data: [
                "UpperDir": layer?.upperDir ?? "", "WorkDir": layer?.workDir ?? "",
                "MergedDir": layer?.mergedDir ?? "", "LowerDir": layer.map { lowerDirs($0) } ?? "",
            ]),
            mounts: mounts, config: r.config, networkSettings: .init(r, host: host))
    }
}

extension ContainerInspect.NetworkSettings {
    /// Docker's shape: the bridge endpoint while running, and every requested port under
    /// `Ports` (null when not bound).
    init(_ r: ContainerRecord, host: HostConfig) {
        self.init()
        for key in (r.config.exposedPorts ?? [:]).keys { ports[key] = .some(nil) }
        for key in host.portBindings.keys { ports[key] = .some(nil) }
        guard r.state.status == .running, let e = r.berth.endpoint else { return }
        ipAddress = e.address.description
        gateway = e.gateway.description
        macAddress = e.mac
        ipPrefixLen = e.prefixLength
        for p in e.ports {
            let binding = HostConfig.PortBinding(hostIp: p.hostIP.isEmpty ? "0.0.0.0" : p.hostIP, hostPort: String(p.hostPort))
            ports[p.key] = .some(((ports[p.key] ?? nil) ?? []) + [binding])
        }
        networks["bridge"] = .init(
            ipAddress: ipAddress, gateway: gateway, macAddress: macAddress, ipPrefixLen: e.prefixLength)
    }
}
