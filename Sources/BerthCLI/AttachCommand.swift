import ArgumentParser
import BerthCore

struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach", abstract: "Attach local standard input, output, and error streams to a running container")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container") var container: String

    func run() throws {
        let outcome = try global.runtime().attach(container)
        if case .exited(let code) = outcome { throw ExitCode(code) }
    }
}
