import ArgumentParser
import BerthCore
import BerthRuntime

struct CpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp", abstract: "Copy files/folders between a container and the local filesystem")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Archive mode (copy all uid/gid information)") var archive = false
    @Flag(name: [.customShort("L"), .long], help: "Always follow symbol link in SRC_PATH") var followLink = false
    // Berth prints no progress, so there is nothing to suppress.
    @Flag(name: .shortAndLong, help: "Suppress progress output during copy") var quiet = false
    @Argument(help: "CONTAINER:SRC_PATH, SRC_PATH or - (a tar on stdin)") var source: String
    @Argument(help: "DEST_PATH, - (a tar on stdout) or CONTAINER:DEST_PATH") var destination: String

    func run() throws {
        try global.runtime().copy(
            from: CopyEndpoint(parsing: source), to: CopyEndpoint(parsing: destination),
            options: CopyOptions(archive: archive, followLink: followLink))
    }
}
