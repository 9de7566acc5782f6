import ArgumentParser
import BerthCore

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop one or more running containers")

    @OptionGroup var global: GlobalOptions
    @Option(name: [.short, .customLong("time")], help: "Seconds to wait before killing the container") var time = 10
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker stop\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        try forEachContainer(containers) { ref in
            try runtime.stop(ref, timeout: time)
            Console.current.out(ref)
        }
    }
}

/// Runs `body` for each reference; like Docker, reports each failure and goes on, then
/// exits 1 if any failed.
func forEachContainer(_ refs: [String], _ body: (String) throws -> Void) throws {
    var failed = false
    for ref in refs {
        do {
            try body(ref)
        } catch let error as BerthError {
            Console.current.err(error.message)
            failed = true
        }
    }
    if failed { throw ExitCode(1) }
}
