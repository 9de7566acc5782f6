import ArgumentParser
import BerthCore
import BerthNetwork
import Foundation

/// `docker network ls|inspect`: the three built-in networks; only `bridge` has a subnet.
struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network", abstract: "Manage networks", subcommands: [Ls.self, Inspect.self, Destroy.self])

    /// Docker's network IDs are random; ours are derived from the bridge so they are stable.
    static func id(_ name: String) -> String {
        String((name + "-berth-network").utf8.map { String($0, radix: 16) }.joined().padding(toLength: 64, withPad: "0", startingAt: 0).prefix(64))
    }

    struct Ls: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List networks", aliases: ["list"])
        @OptionGroup var global: GlobalOptions
        func run() throws {
            var tw = TabWriter()
            tw.add("NETWORK ID\tNAME\tDRIVER\tSCOPE")
            for (name, driver) in [("bridge", "bridge"), ("host", "host"), ("none", "null")] {
                tw.add("\(NetworkCommand.id(name).prefix(12))\t\(name)\t\(driver)\tlocal")
            }
            Console.current.out(tw.render())
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more networks")
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "Format output using a custom template") var format: String?
        @Argument var networks: [String] = []

        func run() throws {
            let printer = try InspectPrinter(format: format)
            let paths = global.paths
            var values: [TemplateValue] = []
            for name in networks {
                guard name == "bridge" else { throw BerthError.daemon("network \(name) not found", exitCode: 1) }
                let net = try paths.withLock { try BridgeNetwork.ensure(paths) }
                let runtime = global.runtime()
                var containers: [String: Any] = [:]
                for r in try runtime.containers() where r.state.running {
                    guard let e = r.berth.endpoint else { continue }
                    containers[r.id.rawValue] = [
                        "Name": r.displayName, "MacAddress": e.mac,
                        "IPv4Address": "\(e.address)/\(e.prefixLength)", "IPv6Address": "",
                    ]
                }
                let json: [String: Any] = [
                    "Name": "bridge", "Id": NetworkCommand.id("bridge"), "Scope": "local", "Driver": "bridge",
                    "EnableIPv6": false,
                    "IPAM": ["Driver": "default", "Config": [["Subnet": net.subnetCIDR, "Gateway": net.gateway.description]]],
                    "Internal": false, "Attachable": false, "Containers": containers,
                    "Options": ["com.docker.network.bridge.name": net.bridge,
                                "com.docker.network.driver.mtu": String(net.mtu)],
                ]
                values.append(TemplateValue(json: json))
            }
            try printer.write(values, to: Console.current)
        }
    }

    /// Removes this state root's bridge and rules when no container runs (tests, uninstall).
    struct Destroy: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "_destroy", shouldDisplay: false)
        @OptionGroup var global: GlobalOptions
        func run() throws {
            let paths = global.paths
            guard try !global.runtime().containers().contains(where: { $0.state.running }) else {
                throw BerthError.daemon("containers are still running on the bridge", exitCode: 1)
            }
            try paths.withLock {
                if let net = try? readJSON(BridgeNetwork.self, from: paths.network + "/bridge.json") {
                    try net.removeFromHost()
                    try FileManager.default.removeItem(atPath: paths.network + "/bridge.json")
                }
            }
        }
    }
}
