import ArgumentParser
import BerthCore

/// `docker container inspect`: containers only; an image's name is not found here.
struct InspectContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Display detailed information on one or more containers")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Format output using a custom template") var format: String?
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker container inspect\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        try printInspected(containers, format: format) { try TemplateValue(encoding: runtime.inspect($0)) }
    }
}
