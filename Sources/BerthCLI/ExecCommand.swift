import ArgumentParser
import BerthCore
import BerthRuntime
import Foundation

struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Execute a command in a running container")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Keep STDIN open even if not attached") var interactive = false
    @Flag(name: .shortAndLong, help: "Allocate a pseudo-TTY") var tty = false
    @Flag(name: .shortAndLong, help: "Detached mode: run command in the background") var detach = false
    @Option(name: [.short, .customLong("env")], help: "Set environment variables") var env: [String] = []
    @Option(name: [.short, .customLong("workdir")], help: "Working directory inside the container") var workdir: String?
    @Option(name: .shortAndLong, help: "Username or UID (format: <name|uid>[:<group|gid>])") var user: String?
    @Argument(help: "Container") var container: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments") var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("\"docker exec\" requires at least 2 arguments.") }
    }

    func run() throws {
        if !detach && tty && interactive && isatty(Console.current.inFD) != 1 { throw BerthError.notATTY }
        var options = ExecOptions()
        options.interactive = interactive
        options.tty = tty
        options.detach = detach
        options.env = env
        options.workdir = workdir
        options.user = user
        let code = try global.runtime().exec(container, command, options: options)
        if code != 0 { throw ExitCode(code) }
    }
}
