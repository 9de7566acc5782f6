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
            ContainerCommand.self, PortCommand.self, TopCommand.self, DiffCommand.self, NetworkCommand.self, VolumeCommand.self, SeedCommand.self, VersionCommand.self, LabCommand.self,
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
        let root: any ParsableCommand.Type = LabRootCommand.owns(argv) ? LabRootCommand.self : BerthCommand.self
        return Console.$current.withValue(console) {
            do {
                var command = try root.parseAsRoot(argv.map(booleanValue))
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
                let code = root.exitCode(for: error)
                let message = root.fullMessage(for: error)
                if code == .success {
                    console.out(message)
                    return 0
                }
                // The lab's errors keep ArgumentParser's wording, which names `berth lab`.
                let (text, status) = root is LabRootCommand.Type ? (message, 125) : dockerStyle(message, argv: argv)
                console.err(text)
                return status
            }
        }
    }

    /// `--sig-proxy=false` as cobra takes a boolean flag with a value; ArgumentParser knows
    /// it as `--no-sig-proxy`.
    static func booleanValue(_ arg: String) -> String {
        switch arg {
        case "--sig-proxy=false": "--no-sig-proxy"
        case "--sig-proxy=true": "--sig-proxy"
        default: arg
        }
    }

    /// ArgumentParser's usage errors in Docker's words and exit codes (`DockerUsage`):
    /// "Unknown option '-n'" is an unknown (shorthand) flag, a missing argument or a command's
    /// own "requires" check names the arity, an unexpected first word is an unknown command.
    static func dockerStyle(_ message: String, argv: [String]) -> (String, Int32) {
        let path = DockerUsage.path(argv)
        // A single-dash word such as `-name` is a cluster of short flags to Docker.
        for arg in argv where arg.hasPrefix("-") && !arg.hasPrefix("--") && arg.count >= 2 {
            let letter = arg.dropFirst().first!
            if message.contains("Unknown option '-\(letter)'") || message.contains("Unknown option '\(arg)'") {
                return DockerUsage.flagError("unknown shorthand flag: '\(letter)' in \(arg)", path: path)
            }
        }
        if let range = message.range(of: "Unknown option '") {
            let flag = message[range.upperBound...].prefix { $0 != "'" }
            return DockerUsage.flagError("unknown flag: \(flag)", path: path)
        }
        if message.contains("Missing expected argument") || message.contains("\" requires ") {
            return DockerUsage.missingArguments(path)
        }
        if let first = argv.first, !first.hasPrefix("-"), message.contains("Unexpected argument '\(first)'") {
            return DockerUsage.unknownCommand(first)
        }
        if message.contains("Unexpected argument"), DockerUsage.entry(path) != nil {
            return DockerUsage.missingArguments(path)  // one too many for a command of fixed arity
        }
        return (message, 125)  // Docker's CLI exits 125 for flag errors (ArgumentParser would say 64)
    }
}
