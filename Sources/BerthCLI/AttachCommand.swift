import ArgumentParser
import BerthCore

struct AttachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach", abstract: "Attach local standard input, output, and error streams to a running container")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .customLong("sig-proxy"), inversion: .prefixedNo, help: "Proxy all received signals to the process")
    var sigProxy = true
    @Argument(help: "Container") var container: String

    func run() throws {
        let outcome = try global.runtime().attach(container, sigProxy: sigProxy)
        if case .exited(let code) = outcome { throw ExitCode(code) }
    }
}
