import ArgumentParser
import BerthCore
import Foundation

/// The root of the command tree. `berth` and the lab REPL both enter through `execute`.
public struct BerthCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "docker",
        abstract: "Berth: a container lab for the terminal, with a Docker-compatible CLI.",
        subcommands: [
            RunCommand.self, CreateCommand.self, StartCommand.self, StopCommand.self, RestartCommand.self,
            KillCommand.self, RmCommand.self, PsCommand.self, InspectCommand.self, LogsCommand.self,
            ExecCommand.self, CpCommand.self, AttachCommand.self, WaitCommand.self, RenameCommand.self,
            ContainerCommand.self, PortCommand.self, DiffCommand.self, NetworkCommand.self, VolumeCommand.self, SeedCommand.self, VersionCommand.self, LabCommand.self,
            CleanupCommand.self,
            ImagesCommand.self, ImageCommand.self, PullCommand.self, TagCommand.self, RmiCommand.self,
            HistoryCommand.self, SaveCommand.self, LoadCommand.self, ImportCommand.self, ExportCommand.self,
            CommitCommand.self, BuildCommand.self, InfoCommand.self, SystemCommand.self,
            StatsCommand.self, SeccompProfileCommand.self,
            LoginCommand.self, LogoutCommand.self,
        ])

    public init() {}

    /// Parses `argv` (without the program name) and runs it; returns Docker's exit code.
    /// Never calls exit(): the REPL runs many commands in one process.
    public static func execute(_ argv: [String], console: Console = Console()) -> Int32 {
        Console.$current.withValue(console) {
            do {
                var command = try parseAsRoot(argv)
                try command.run()
                return 0
            } catch let error as BerthError {
                console.err(error.message)
                if !error.detail.isEmpty && ProcessInfo.processInfo.environment["BERTH_DEBUG"] != nil {
                    console.err("detail: \(error.detail)")
                }
                return error.exitCode
            } catch let error as ExitCode {
                return error.rawValue
            } catch {
                let code = exitCode(for: error)
                let message = fullMessage(for: error)
                if code == .success {
                    console.out(message)
                    return 0
                }
                // Usage errors: Docker's CLI exits 125 for flag errors (ArgumentParser would say 64).
                console.err(dockerStyle(message, argv: argv))
                return 125
            }
        }
    }

    /// ArgumentParser's "Error: Unknown option '-n'" becomes Docker's "unknown shorthand flag".
    static func dockerStyle(_ message: String, argv: [String]) -> String {
        let sub = argv.first ?? ""
        // A single-dash word such as `-name` is a cluster of short flags to Docker.
        for arg in argv where arg.hasPrefix("-") && !arg.hasPrefix("--") && arg.count > 2 {
            let letter = arg.dropFirst().first!
            if message.contains("Unknown option '-\(letter)'") || message.contains("Unknown option '\(arg)'") {
                return "unknown shorthand flag: '\(letter)' in \(arg)\nSee 'docker \(sub) --help'."
            }
        }
        if let range = message.range(of: "Unknown option '") {
            let rest = message[range.upperBound...]
            let flag = rest.prefix { $0 != "'" }
            return "unknown flag: \(flag)\nSee 'docker \(sub) --help'."
        }
        return message
    }
}
