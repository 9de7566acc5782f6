import ArgumentParser
import BerthCore
import BerthRuntime

struct CpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy files/folders between a container and the local filesystem")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "CONTAINER:SRC_PATH or SRC_PATH") var source: String
    @Argument(help: "DEST_PATH or CONTAINER:DEST_PATH") var destination: String

    func run() throws {
        try global.runtime().copy(from: CopyEndpoint(parsing: source), to: CopyEndpoint(parsing: destination))
    }
}
