import ArgumentParser
import BerthCore

struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a container")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container") var container: String
    @Argument(help: "New name") var newName: String

    func run() throws {
        try global.runtime().rename(container, to: newName)
    }
}
