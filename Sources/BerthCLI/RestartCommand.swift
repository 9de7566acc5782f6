import ArgumentParser
import BerthCore

struct RestartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart one or more containers")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var stopOptions: StopOptions
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker restart\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        let timeout = try stopOptions.seconds(command: "restart")
        let signal = try stopOptions.stopSignal()
        try forEachContainer(containers) { ref in
            try runtime.restart(ref, timeout: timeout, signal: signal)
            Console.current.out(ref)
        }
    }
}
