import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime

/// `docker rmi [-f] IMAGE...`: prints `Untagged:` and `Deleted:` lines as Docker does.
struct RmiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rmi", abstract: "Remove one or more images")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Force removal of the image") var force = false
    @Flag(name: .customLong("no-prune"), help: "Do not delete untagged parents") var noPrune = false
    @Argument(help: "Images") var images: [String] = []

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"docker rmi\" requires at least 1 argument.") }
    }

    func run() throws {
        let store = ImageStore(paths: global.paths)
        let users = try global.runtime().imageUsers()
        var failed = false
        for ref in images {
            do {
                for line in try store.remove(ref, force: force, users: users, prune: !noPrune) { Console.current.out(line) }
            } catch {
                Console.current.err(error.message)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
