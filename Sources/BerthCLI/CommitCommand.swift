import ArgumentParser
import BerthCore
import BerthRuntime

/// `docker commit CONTAINER [REPOSITORY[:TAG]]`: a new image from a container's changes.
struct CommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit", abstract: "Create a new image from a container's changes")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")") var author: String?
    @Option(name: .shortAndLong, help: "Commit message") var message: String?
    @Flag(name: .shortAndLong, inversion: .prefixedNo, help: "Pause container during commit") var pause = true
    @Argument(help: "CONTAINER [REPOSITORY[:TAG]]") var arguments: [String] = []

    func validate() throws {
        if arguments.isEmpty || arguments.count > 2 {
            throw ValidationError("\"docker commit\" requires at least 1 and at most 2 arguments.")
        }
    }

    func run() throws {
        let image = try global.runtime().commit(
            arguments[0], tag: arguments.count > 1 ? arguments[1] : nil, author: author, message: message)
        Console.current.out(image.id.string)
    }
}
