import ArgumentParser
import BerthCore

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Inspect changes to files or directories on a container's filesystem")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container") var container: String

    func run() throws {
        for line in try global.runtime().diff(container) { Console.current.out(line) }
    }
}
