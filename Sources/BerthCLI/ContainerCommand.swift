import ArgumentParser
import BerthCore

/// `docker container ...`: the management-command spellings of the container commands.
struct ContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container", abstract: "Manage containers",
        subcommands: [
            PruneCommand.self, LsCommand.self, RunCommand.self, CreateCommand.self, StartCommand.self,
            StopCommand.self, RestartCommand.self, KillCommand.self, RmCommand.self, InspectContainerCommand.self,
            LogsCommand.self, ExecCommand.self, CpCommand.self, AttachCommand.self, WaitCommand.self,
            RenameCommand.self, DiffCommand.self, PortCommand.self, TopCommand.self,
        ])

    struct LsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List containers", aliases: ["ps", "list"])
        @OptionGroup var ps: PsCommand
        func run() throws { try ps.run() }
    }

    struct PruneCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove all stopped containers")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .shortAndLong, help: "Do not prompt for confirmation") var force = false

        func run() throws {
            let console = Console.current
            if !force {
                console.outRaw("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ")
                guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { return }
            }
            let removed = try global.runtime().prune()
            if !removed.isEmpty {
                console.out("Deleted Containers:")
                removed.forEach { console.out($0.rawValue) }
                console.out("")
            }
            console.out("Total reclaimed space: 0B")
        }
    }
}
