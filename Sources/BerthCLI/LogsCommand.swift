import ArgumentParser
import BerthCore

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Fetch the logs of a container")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Follow log output") var follow = false
    @Flag(name: .shortAndLong, help: "Show timestamps") var timestamps = false
    @Option(name: [.customShort("n"), .customLong("tail")], parsing: .unconditional, help: "Number of lines to show from the end of the logs") var tail = "all"
    @Argument(help: "Container") var container: String

    func run() throws {
        let count: Int?
        if tail == "all" {
            count = nil
        } else if let n = Int(tail) {
            count = n < 0 ? nil : n
        } else {
            throw BerthError(message: "invalid value for \"tail\": \(tail)", exitCode: 1)
        }
        try global.runtime().logs(container, follow: follow, tail: count, timestamps: timestamps)
    }
}
