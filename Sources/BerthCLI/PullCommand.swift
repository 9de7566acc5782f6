import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime

/// `docker pull NAME[:TAG|@DIGEST]`: Registry HTTP API v2.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download an image from a registry")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Suppress verbose output") var quiet = false
    @Option(name: .long, help: "Set platform if server is multi-platform capable") var platform: String?
    @Argument(help: "NAME[:TAG|@DIGEST]") var image: String

    func run() throws {
        let reference = try ImageReference(parsing: image)
        throw BerthError.daemon("pull of \(reference.familiar) is not available yet")
    }
}
