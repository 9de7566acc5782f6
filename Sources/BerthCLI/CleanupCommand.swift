import ArgumentParser
import BerthCore

/// Run by a container's monitor after init exits (Documentation/Monitor.md); not for users.
struct CleanupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_cleanup", abstract: "Record a container's exit and tear down its resources",
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions
    @Argument var id: String

    func run() throws {
        guard let cid = ContainerID(rawValue: id) else { throw BerthError.noSuchContainer(id) }
        try global.runtime().cleanup(cid)
    }
}
