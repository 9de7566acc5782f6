import BerthCore
import Foundation

/// The default bridge network of one state root, persisted in `network/bridge.json`:
/// its Linux bridge, subnet, gateway and the addresses handed out (IPAM).
public struct BridgeNetwork: Codable, Sendable {
    public var bridge: String
    public var subnet: IPv4Address
    public var prefixLength: Int
    public var gateway: IPv4Address
    public var mtu: Int
    /// address → container ID
    public var allocations: [String: String]

    enum CodingKeys: String, CodingKey {
        case bridge = "Bridge", subnet = "Subnet", prefixLength = "PrefixLength", gateway = "Gateway", mtu = "MTU"
        case allocations = "Allocations"
    }

    public var subnetCIDR: String { "\(subnet)/\(prefixLength)" }
    /// Chain names carry the bridge so two state roots (tests) never touch each other's rules.
    public var natChain: String { "BERTH-\(bridge)" }

    static func path(_ paths: StatePaths) -> String { paths.network + "/bridge.json" }

    /// Loads the network, creating the bridge and its base rules the first time (or after a
    /// reboot removed them). A saved network whose bridge is gone and whose subnet another
    /// root took meanwhile is chosen anew: no container of ours can be on a missing bridge.
    /// Caller holds the state lock.
    public static func ensure(_ paths: StatePaths) throws -> BridgeNetwork {
        try ensureDirectory(paths.network)
        let saved = try? readJSON(BridgeNetwork.self, from: path(paths))
        if let saved, owner(of: saved.bridge) == paths.root { return saved }
        return try HostNetworkLock.withLock {
            if let saved, !FileManager.default.fileExists(atPath: "/sys/class/net/\(saved.bridge)"),
                try !routedSubnets().contains(where: { overlaps(saved.subnet, saved.prefixLength, $0.0, $0.1) })
            {
                try saved.createOnHost(owner: paths.root)
                return saved
            }
            let net = try choose(for: paths)
            try net.createOnHost(owner: paths.root)
            try AtomicFile.writeJSON(net, to: path(paths))
            return net
        }
    }

    /// Docker's default address pools, in its order: 172.17.0.0/16 … 172.31.0.0/16, then
    /// 192.168.0.0/16 cut into /20s. Bridge `berthN` takes pool N.
    static let pools: [(IPv4Address, Int)] =
        (UInt32(17)...31).map { (IPv4Address(172 << 24 | $0 << 16), 16) }
        + (UInt32(0)..<16).map { (IPv4Address(192 << 24 | 168 << 16 | $0 << 12), 20) }

    /// The first pool that is neither routed on the host nor named by a bridge. When every
    /// pool is taken, bridges of other state roots that no container uses are reclaimed
    /// (their roots choose again on next use).
    static func choose(for paths: StatePaths) throws -> BridgeNetwork {
        collectAbandonedBridges()
        if let net = try firstFreePool() { return net }
        for name in berthBridges() where owner(of: name) != paths.root && members(of: name).isEmpty {
            removeBridgeAndRules(name)
        }
        if let net = try firstFreePool() { return net }
        throw BerthError.internalError(
            "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network")
    }

    static func firstFreePool() throws -> BridgeNetwork? {
        let routed = try routedSubnets()
        for (n, (subnet, length)) in pools.enumerated() {
            let name = "berth\(n)"
            if routed.contains(where: { overlaps(subnet, length, $0.0, $0.1) })
                || FileManager.default.fileExists(atPath: "/sys/class/net/\(name)")
            {
                continue
            }
            return BridgeNetwork(
                bridge: name, subnet: subnet, prefixLength: length, gateway: IPv4Address(subnet.value | 1),
                mtu: defaultRouteMTU(), allocations: [:])
        }
        return nil
    }

    /// Every IPv4 destination the host routes, in any table.
    static func routedSubnets() throws -> [(IPv4Address, Int)] {
        let routes = try HostCommand.run("ip", ["-4", "-o", "route", "show", "table", "all"])
        return routes.split(separator: "\n").compactMap { line -> (IPv4Address, Int)? in
            let first = line.split(separator: " ").first.map(String.init) ?? ""
            let parts = first.split(separator: "/")
            guard let a = IPv4Address(String(parts[0])) else { return nil }
            return (a, parts.count > 1 ? Int(parts[1]) ?? 32 : 32)
        }
    }

    static func berthBridges() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
        return names.filter { $0.hasPrefix("berth") && FileManager.default.fileExists(atPath: "/sys/class/net/\($0)/bridge") }
    }

    /// The state root named in a bridge's alias (`berth:<root>`), nil for a bridge that is
    /// missing or not Berth's.
    static func owner(of bridge: String) -> String? {
        guard let alias = try? String(contentsOfFile: "/sys/class/net/\(bridge)/ifalias", encoding: .utf8),
            alias.hasPrefix("berth:")
        else { return nil }
        return String(alias.dropFirst(6)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The interfaces enslaved to a bridge: a container's host-side veth while it runs.
    static func members(of bridge: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net/\(bridge)/brif")) ?? []
    }

    static func overlaps(_ a: IPv4Address, _ alen: Int, _ b: IPv4Address, _ blen: Int) -> Bool {
        let len = min(alen, blen)
        let mask: UInt32 = len == 0 ? 0 : ~UInt32(0) << (32 - len)
        return a.value & mask == b.value & mask
    }

    /// The bridge's MTU follows the host's uplink, so packets leaving through it fit.
    static func defaultRouteMTU() -> Int {
        let route = (try? HostCommand.run("ip", ["-4", "-o", "route", "show", "default"])) ?? ""
        let words = route.split(separator: " ").map(String.init)
        guard let i = words.firstIndex(of: "dev"), i + 1 < words.count,
            let text = try? String(contentsOfFile: "/sys/class/net/\(words[i + 1])/mtu", encoding: .utf8),
            let mtu = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return 1500 }
        return min(mtu, 1500)
    }

    /// The bridge, forwarding, and the base NAT rules in Berth-named chains. The bridge's
    /// alias names the state root that owns it, so a bridge whose root is gone can be found.
    func createOnHost(owner: String) throws {
        if !FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)") {
            try HostCommand.run("ip", ["-batch", "-"], input: """
                link add \(bridge) mtu \(mtu) type bridge
                link set \(bridge) alias berth:\(owner)
                addr add \(gateway)/\(prefixLength) dev \(bridge)
                link set \(bridge) up

                """)
        }
        try? "1\n".write(toFile: "/proc/sys/net/ipv4/ip_forward", atomically: false, encoding: .utf8)
        // 127.0.0.1:HOSTPORT is DNAT'ed to the container; the kernel only routes such packets
        // out of an interface with route_localnet (as Podman's netavark does).
        try? "1\n".write(toFile: "/proc/sys/net/ipv4/conf/\(bridge)/route_localnet", atomically: false, encoding: .utf8)
        try Firewall.apply(baseRules(.add))
    }

    /// Removes the bridges (and every rule naming them) whose owning state root no longer
    /// exists: a test root deleted without `network _destroy`, a crashed run. Caller holds
    /// the host network lock.
    static func collectAbandonedBridges() {
        for name in berthBridges() {
            guard let owner = owner(of: name), !FileManager.default.fileExists(atPath: owner) else { continue }
            removeBridgeAndRules(name)
        }
    }

    /// Deletes a bridge and every rule that names it or its chain, whichever root made them.
    static func removeBridgeAndRules(_ name: String) {
        let saved = (try? HostCommand.run("iptables-save", [])) ?? ""
        var script = ""
        var table = ""
        for line in saved.split(separator: "\n").map(String.init) {
            if line.hasPrefix("*") { table = line }
            guard line.hasPrefix("-A "), line.contains(" \(name) ") || line.hasSuffix(" \(name)") || line.contains("BERTH-\(name) ")
                || line.hasSuffix("BERTH-\(name)")
            else { continue }
            script += "\(table)\n-D" + line.dropFirst(2) + "\nCOMMIT\n"
        }
        if !script.isEmpty { try? Firewall.apply(script) }
        try? Firewall.apply("*nat\n-X BERTH-\(name)\nCOMMIT\n")
        _ = try? HostCommand.run("ip", ["link", "del", name])
    }

    /// Removes the bridge and its base rules (tests, `berth system reset`).
    public func removeFromHost() throws {
        try? Firewall.apply(baseRules(.delete))
        try? Firewall.apply("*nat\n-X \(natChain)\nCOMMIT\n")
        if FileManager.default.fileExists(atPath: "/sys/class/net/\(bridge)") {
            try HostCommand.run("ip", ["link", "del", bridge])
        }
    }

    func baseRules(_ op: Firewall.Op) -> String {
        let a = op.flag
        var s = "*nat\n"
        if op == .add { s += ":\(natChain) - [0:0]\n" }
        s += """
            \(a) PREROUTING -m addrtype --dst-type LOCAL -j \(natChain)
            \(a) OUTPUT -m addrtype --dst-type LOCAL -j \(natChain)
            \(a) POSTROUTING -s \(subnetCIDR) ! -o \(bridge) -j MASQUERADE
            \(a) POSTROUTING -s 127.0.0.0/8 -o \(bridge) -j MASQUERADE
            COMMIT
            *filter
            \(a) FORWARD -o \(bridge) -j ACCEPT
            \(a) FORWARD -i \(bridge) -j ACCEPT
            COMMIT

            """
        return s
    }

    /// The lowest free address after the gateway. Caller holds the state lock and saves.
    mutating func allocate(for id: String) throws -> IPv4Address {
        let size = UInt32(1) << UInt32(32 - prefixLength)
        for offset in UInt32(2)..<(size - 1) {
            let a = IPv4Address(subnet.value + offset)
            if allocations[a.description] == nil {
                allocations[a.description] = id
                return a
            }
        }
        throw BerthError.internalError("no available IPv4 addresses on network bridge")
    }

    mutating func release(_ id: String) {
        allocations = allocations.filter { $0.value != id }
    }

    func save(_ paths: StatePaths) throws {
        try AtomicFile.writeJSON(self, to: Self.path(paths))
    }
}

/// Bridges and chains are host-wide, shared by every state root: creating them takes this
/// lock so two roots (parallel tests) never pick the same subnet.
enum HostNetworkLock {
    static func withLock<T>(_ body: () throws -> T) throws -> T {
        let lock = try FileLock(path: "/run/berth-network.lock")
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }
}
