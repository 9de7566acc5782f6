import ArgumentParser
import BerthCore

struct StopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop one or more running containers")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var stopOptions: StopOptions
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker stop\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        let timeout = try stopOptions.seconds(command: "stop")
        let signal = try stopOptions.stopSignal()
        try forEachContainer(containers) { ref in
            try runtime.stop(ref, timeout: timeout, signal: signal)
            Console.current.out(ref)
        }
    }
}

/// Runs `body` for each reference; like Docker, reports each failure and goes on, then
/// exits 1 if any failed.
func forEachContainer(_ refs: [String], _ body: (String) throws -> Void) throws {
    if !eachContainer(refs, body).isEmpty { throw ExitCode(1) }
}

/// Runs `body` for each reference, reporting each failure on stderr; returns those that failed.
func eachContainer(_ refs: [String], _ body: (String) throws -> Void) -> [String] {
    var failed: [String] = []
    for ref in refs {
        do {
            try body(ref)
        } catch let error as BerthError {
            Console.current.err(error.message)
            failed.append(ref)
        } catch {
            Console.current.err("\(error)")
            failed.append(ref)
        }
    }
    return failed
}
