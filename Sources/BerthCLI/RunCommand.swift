import ArgumentParser
import BerthCore
import BerthRuntime
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Create and run a new container from an image", helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ContainerOptions
    @Flag(name: .shortAndLong, help: "Run container in background and print container ID") var detach = false
    @Flag(name: .customLong("sig-proxy"), inversion: .prefixedNo, help: "Proxy received signals to the process")
    var sigProxy = true
    @Argument(help: "Image") var image: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments") var command: [String] = []

    func run() throws {
        let runtime = global.runtime()
        let console = Console.current
        if !detach && options.tty && options.interactive && isatty(console.inFD) != 1 { throw BerthError.notATTY }
        let record: ContainerRecord
        let spec: ContainerSpec
        do { spec = try options.spec(image: image, command: command) } catch let error as BerthError {
            throw error.reportedAsFlagError("run")
        }
        do {
            record = try runtime.create(spec)
        } catch let error as BerthError {
            throw error.reportedByRun(withHelp: true)
        }
        if detach {
            do { _ = try runtime.start(record.id.rawValue) } catch let error as BerthError {
                throw error.reportedByRun(withHelp: false)
            }
            console.out(record.id.rawValue)
            return
        }
        let size = options.tty ? TerminalRelay.size(of: console.outFD) : nil
        let started: StartedContainer
        do {
            started = try runtime.start(record.id.rawValue, attach: true, winsize: size)
        } catch let error as BerthError {
            throw error.reportedByRun(withHelp: false)
        }
        let relay = TerminalRelay(
            console: console, tty: options.tty, forwardStdin: options.interactive,
            signalTarget: sigProxy && !options.tty ? started.record : nil)
        let outcome = started.attach.map { relay.run(.framed($0)) } ?? .closed
        if outcome == .detached { return }
        // Wait for the monitor's cleanup so that `--rm` has happened when we return.
        throw ExitCode(try runtime.waitForMonitor(started, outcome: outcome))
    }
}
