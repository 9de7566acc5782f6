import ArgumentParser
import BerthCore

struct WaitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Block until one or more containers stop, then print their exit codes")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker wait\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        try forEachContainer(containers) { ref in
            Console.current.out(String(try runtime.wait(ref)))
        }
    }
}
