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

/// docker/cli's inspector: each object that is found, as JSON or through the template; each
/// one that is not, as "Error: " and the daemon's reason; exit 1 if any was not found.
func printInspected(_ refs: [String], format: String?, _ lookup: (String) throws -> TemplateValue) throws {
    let console = Console.current
    var values: [TemplateValue] = []
    var errors: [String] = []
    for ref in refs {
        do {
            values.append(try lookup(ref))
        } catch let e as BerthError {
            let daemon = "Error response from daemon: "
            errors.append("Error: " + (e.message.hasPrefix(daemon) ? String(e.message.dropFirst(daemon.count)) : e.message))
        }
    }
    if let format {
        let template = try GoTemplate(format)
        for v in values { console.out(try template.render(v)) }
    } else {
        console.out(values.isEmpty ? "[]" : try prettyJSON(values))
    }
    errors.forEach { console.err($0) }
    if !errors.isEmpty { throw ExitCode(1) }
}
