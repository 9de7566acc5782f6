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

    /// Fields of Docker's ContainerJSON that are nil slices or pointers unless set.
    static let goNils = ["HostConfig.CapAdd": "[]", "HostConfig.CapDrop": "[]", "HostConfig.SecurityOpt": "[]",
                         "HostConfig.PidsLimit": "<nil>"]

    func run() throws {
        let runtime = global.runtime()
        let console = Console.current
        var values: [TemplateValue] = []
        var failed = false
        for ref in objects {
            do {
                values.append(try TemplateValue(encoding: runtime.inspect(ref)).typingNils(Self.goNils))
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
        if let format {
            let template = try GoTemplate(format)
            for v in values { console.out(try template.render(v)) }
            if values.isEmpty { console.out("") }  // Docker's template inspector flushes one empty line
        } else {
            // Docker prints an empty result as "[]", not as an empty pretty-printed array.
            console.out(values.isEmpty ? "[]" : try prettyJSON(values))
        }
        if failed { throw ExitCode(1) }
    }
}

/// Docker prints inspect output as an indented JSON array.
func prettyJSON(_ values: [TemplateValue]) throws -> String {
    let objects = try values.map { try JSONSerialization.jsonObject(with: Data($0.json.utf8), options: [.fragmentsAllowed]) }
    let data = try JSONSerialization.data(
        withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
}
