import ArgumentParser
import BerthCore
import BerthNetwork

struct PortCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "port", abstract: "List port mappings or a specific mapping for the container")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container") var container: String
    @Argument(help: "PRIVATE_PORT[/PROTO]") var port: String?

    func run() throws {
        let record = try global.runtime().container(container)
        let ports = record.state.running ? record.berth.endpoint?.ports ?? [] : []
        var selected = ports
        if let port {
            let key = port.contains("/") ? port : port + "/tcp"
            selected = ports.filter { $0.key == key }
            if selected.isEmpty {
                throw BerthError(message: "Error: No public port '\(key)' published for \(container)", exitCode: 1)
            }
            for p in selected { Console.current.out(p.hostEndpoint) }
            return
        }
        for p in selected.sorted(by: { $0.containerPort < $1.containerPort }) {
            Console.current.out("\(p.key) -> \(p.hostEndpoint)")
        }
    }
}
