import BerthCore
import CBerth
import Foundation

/// A container's place on the bridge, kept in its record so teardown can undo exactly it.
public struct Endpoint: Codable, Sendable, Equatable {
    public var bridge: String
    public var hostVeth: String
    public var address: IPv4Address
    public var prefixLength: Int
    public var gateway: IPv4Address
    /// Published ports with the host port actually bound (a requested 0 is resolved).
    public var ports: [PortMapping]
    public var natChain: String

    enum CodingKeys: String, CodingKey {
        case bridge = "Bridge", hostVeth = "HostVeth", address = "IPAddress", prefixLength = "IPPrefixLen"
        case gateway = "Gateway", ports = "Ports", natChain = "NatChain"
    }

    public var mac: String { address.mac }

    func dnatRules(_ op: Firewall.Op) -> String {
        var s = "*nat\n"
        for p in ports where !p.isIPv6 {  // IPv6 clients go through the monitor's proxy
            let dest = p.hostIP.isEmpty || p.hostIP == "0.0.0.0" ? "" : "-d \(p.hostIP)/32 "
            s += "\(op.flag) \(natChain) \(dest)-p \(p.proto) -m \(p.proto) --dport \(p.hostPort) "
                + "-j DNAT --to-destination \(address):\(p.containerPort)\n"
        }
        return s + "COMMIT\n"
    }
}

extension Network {
    /// Puts the container (whose init is `pid`, waiting on its sync pipe) on the bridge:
    /// an address, a veth pair with `eth0` inside, a default route, and DNAT rules for its
    /// published ports. Caller holds the state lock. On failure nothing is left behind.
    public static func connect(paths: StatePaths, containerID: String, pid: Int32, ports: [PortMapping]) throws -> Endpoint {
        var net = try BridgeNetwork.ensure(paths)
        let address = try net.allocate(for: containerID)
        try net.save(paths)
        let endpoint = Endpoint(
            bridge: net.bridge, hostVeth: "veth" + containerID.prefix(7), address: address,
            prefixLength: net.prefixLength, gateway: net.gateway, ports: ports, natChain: net.natChain)
        do {
            try HostCommand.run("ip", ["-batch", "-"], input: """
                link add \(endpoint.hostVeth) mtu \(net.mtu) type veth peer name eth0 mtu \(net.mtu) address \(endpoint.mac) netns \(pid)
                link set \(endpoint.hostVeth) master \(net.bridge) up

                """)
            // Inside: lo, eth0's address and the default route, by ioctl from a thread in the
            // container's namespace (one process less than `nsenter ip`).
            if berth_netns_configure(pid, "eth0", address.value, Int32(net.prefixLength), net.gateway.value) != 0 {
                throw BerthError.internalError(
                    "failed to set up container networking: eth0: \(String(cString: strerror(errno)))")
            }
            if ports.contains(where: { !$0.isIPv6 }) { try Firewall.apply(endpoint.dnatRules(.add)) }
        } catch {
            disconnect(paths: paths, containerID: containerID, endpoint: endpoint)
            throw error
        }
        return endpoint
    }

    /// Undoes `connect`: rules, the host veth (usually gone with the namespace already), the
    /// address. Never throws: teardown must finish even when parts are already gone.
    public static func disconnect(paths: StatePaths, containerID: String, endpoint: Endpoint) {
        if endpoint.ports.contains(where: { !$0.isIPv6 }) { try? Firewall.apply(endpoint.dnatRules(.delete)) }
        if FileManager.default.fileExists(atPath: "/sys/class/net/\(endpoint.hostVeth)") {
            _ = try? HostCommand.run("ip", ["link", "del", endpoint.hostVeth])
        }
        if var net = try? readJSON(BridgeNetwork.self, from: BridgeNetwork.path(paths)) {
            net.release(containerID)
            try? net.save(paths)
        }
    }
}
