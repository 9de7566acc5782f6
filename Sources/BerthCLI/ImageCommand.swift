import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// `docker image ...`: the management-command spellings of the image commands.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Manage images",
        subcommands: [
            LsCommand.self, InspectImageCommand.self, RmCommand.self, PruneImagesCommand.self, TagCommand.self,
            HistoryCommand.self, SaveCommand.self, LoadCommand.self, ImportCommand.self, PullCommand.self, BuildCommand.self,
        ])

    struct LsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List images", aliases: ["list"])
        @OptionGroup var images: ImagesCommand
        func run() throws { try images.run() }
    }

    struct RmCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more images", aliases: ["remove"])
        @OptionGroup var rmi: RmiCommand
        func validate() throws { try rmi.validate() }
        func run() throws { try rmi.run() }
    }
}

/// `docker image inspect IMAGE...`.
struct InspectImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Display detailed information on one or more images")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Format output using a custom template") var format: String?
    @Argument(help: "Images") var images: [String] = []

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"docker image inspect\" requires at least 1 argument.") }
    }

    func run() throws {
        let store = ImageStore(paths: global.paths)
        try printInspected(images, format: format) { try TemplateValue(encoding: store.inspect($0)) }
    }
}

/// `docker image prune [-a] [-f]`.
struct PruneImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused images")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Remove all unused images, not just dangling ones") var all = false
    @Flag(name: .shortAndLong, help: "Do not prompt for confirmation") var force = false

    func run() throws {
        let console = Console.current
        if !force {
            let what = all ? "all images without at least one container associated to them" : "all dangling images"
            console.outRaw("WARNING! This will remove \(what).\nAre you sure you want to continue? [y/N] ")
            guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { return }
        }
        let users = try global.runtime().imageUsers()
        let (lines, reclaimed) = try ImageStore(paths: global.paths).prune(all: all, users: users)
        if !lines.isEmpty {
            console.out("Deleted Images:")
            lines.forEach { console.out($0) }
            console.out("")
        }
        console.out("Total reclaimed space: \(HumanSize.string(reclaimed))")
    }
}
