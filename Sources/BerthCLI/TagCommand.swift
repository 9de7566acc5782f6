import ArgumentParser
import BerthCore
import BerthImages

/// `docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]`.
struct TagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tag", abstract: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]") var names: [String] = []

    func validate() throws {
        if names.count != 2 { throw ValidationError("\"docker tag\" requires exactly 2 arguments.") }
    }

    func run() throws {
        // Docker's client parses the target itself, before asking the daemon, and says so.
        do { _ = try ImageReference(parsing: names[1]) } catch {
            throw BerthError(
                message: "Error parsing reference: \"\(names[1])\" is not a valid repository/tag: \(error.message)",
                exitCode: 1)
        }
        try ImageStore(paths: global.paths).tag(names[0], names[1])
    }
}
