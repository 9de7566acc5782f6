import ArgumentParser
import BerthCore

struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart one or more containers")

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .customLong("time")], help: "Seconds to wait before killing the container") var time = 10
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker restart\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        try forEachContainer(containers) { ref in
            try runtime.restart(ref, timeout: time)
            Console.current.out(ref)
        }
    }
}
