import ArgumentParser
import BerthCore
import BerthRuntime

struct StartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start one or more stopped containers")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Attach STDOUT/STDERR and forward signals") var attach = false
    @Flag(name: .shortAndLong, help: "Attach container's STDIN") var interactive = false
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker start\" requires at least 1 argument.") }
        if (attach || interactive) && containers.count > 1 {
            throw ValidationError("you cannot start and attach multiple containers at once")
        }
    }

    func run() throws {
        let runtime = global.runtime()
        let console = Console.current
        if attach || interactive {
            let record = try runtime.container(containers[0])
            let size = record.config.tty ? TerminalRelay.size(of: console.outFD) : nil
            let started = try runtime.start(containers[0], attach: true, winsize: size)
            guard let connection = started.attach else {
                // Already running: attach to it as `docker start -a` does.
                let outcome = try runtime.attach(containers[0], console: console)
                if case .exited(let c) = outcome { throw ExitCode(c) }
                return
            }
            let relay = TerminalRelay(
                console: console, tty: record.config.tty, forwardStdin: interactive && record.config.openStdin,
                signalTarget: record.config.tty ? nil : started.record)
            let outcome = relay.run(.framed(connection))
            if outcome == .detached { return }
            throw ExitCode(try runtime.waitForMonitor(started, outcome: outcome))
        }
        let failed = eachContainer(containers) { ref in
            _ = try runtime.start(ref)
            console.out(ref)
        }
        if !failed.isEmpty {
            throw BerthError(message: "Error: failed to start containers: \(failed.joined(separator: ", "))", exitCode: 1)
        }
    }
}
