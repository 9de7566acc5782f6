import ArgumentParser
import BerthCore
import BerthImages
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Return low-level information on Docker objects")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Format output using a custom template") var format: String?
    @Option(name: .customLong("type"), help: "Return JSON for specified type (container)") var type: String?
    @Argument(help: "Names or IDs") var objects: [String] = []

    func validate() throws {
        if objects.isEmpty { throw ValidationError("\"docker inspect\" requires at least 1 argument.") }
    }

    func run() throws {
        let printer = try InspectPrinter(format: format)
        let runtime = global.runtime()
        let console = Console.current
        var values: [TemplateValue] = []
        var failed = false
        for ref in objects {
            do {
                values.append(try TemplateValue(encoding: runtime.inspect(ref)))
            } catch let e as BerthError where e.message.contains("No such container") {
                // Docker's inspect falls back to images when no container has the name.
                if type != "container" && type != "volume", let image = try? ImageStore(paths: global.paths).inspect(ref) {
                    values.append(try TemplateValue(encoding: image))
                    continue
                }
                if type != "container" && type != "image", let volume = try? runtime.volume(ref) {
                    values.append(try TemplateValue(encoding: volume))
                    continue
                }
                console.err(BerthError.noSuchObject(ref).message)
                failed = true
            }
        }
        try printer.write(values, to: console)
        if failed { throw ExitCode(1) }
    }
}
