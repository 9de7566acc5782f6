import ArgumentParser
import BerthCore
import BerthRuntime

/// `docker export [-o FILE] CONTAINER`: the container's filesystem as a tar.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a container's filesystem as a tar archive")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Write to a file, instead of STDOUT") var output: String?
    @Argument(help: "Container") var container: String

    func run() throws {
        let runtime = global.runtime()
        try OutputFile.write(output, what: "export") { fd in try runtime.export(container, to: fd) }
    }
}
