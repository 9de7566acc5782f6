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
        let runtime = global.runtime()
        let images = ImageStore(paths: global.paths)
        try printInspected(objects, format: format) { ref in
            do {
                return try TemplateValue(encoding: runtime.inspect(ref))
            } catch let e as BerthError where e.message.contains("No such container") {
                // Docker's inspect falls back to images, then volumes, when no container has the name.
                if type != "container" && type != "volume", let image = try? images.inspect(ref) {
                    return try TemplateValue(encoding: image)
                }
                if type != "container" && type != "image", let volume = try? runtime.volume(ref) {
                    return try TemplateValue(encoding: volume)
                }
                throw BerthError.noSuchObject(ref)
            }
        }
    }
}
