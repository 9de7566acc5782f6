import BerthCore
import Foundation

extension Runtime {
    /// `docker attach`: connects to the running container's monitor and relays the terminal.
    /// `sigProxy`: signals the CLI receives go to init, unless the container has a TTY (whose
    /// keys reach it through the terminal), as docker/cli's attach and `start -a` do.
    public func attach(_ ref: String, sigProxy: Bool = true, console: Console = Console.current) throws
        -> TerminalRelay.Outcome
    {
        let record = try container(ref)
        guard record.state.status == .running else {
            throw BerthError(message: "You cannot attach to a stopped container, start it first", exitCode: 1)
        }
        let connection = try AttachConnection(socketPath: paths.containerRun(record.id.rawValue) + "/attach")
        let relay = TerminalRelay(
            console: console, tty: record.config.tty, forwardStdin: record.config.openStdin,
            signalTarget: sigProxy && !record.config.tty ? record : nil)
        let outcome = relay.run(.framed(connection))
        if outcome != .detached {
            // As with Docker, the container's state says "exited" once attach returns.
            _ = waitStopped(record, timeout: 30)
        }
        return outcome
    }
}
