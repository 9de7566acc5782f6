import ArgumentParser
import BerthCore
import BerthRuntime

struct KillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "Kill one or more running containers")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Signal to send to the container") var signal = "KILL"
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker kill\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        let sig = try SignalName.parse(signal)
        try forEachContainer(containers) { ref in
            try runtime.kill(ref, signal: sig)
            Console.current.out(ref)
        }
    }
}
