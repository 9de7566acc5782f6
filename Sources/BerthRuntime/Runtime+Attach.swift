import BerthCore
import Foundation

extension Runtime {
    /// `docker attach`: connects to the running container's monitor and relays the terminal.
    public func attach(_ ref: String, console: Console = Console.current) throws -> TerminalRelay.Outcome {
        let record = try container(ref)
        guard record.state.status == .running else {
            throw BerthError(message: "You cannot attach to a stopped container, start it first", exitCode: 1)
        }
        let connection = try AttachConnection(socketPath: paths.containerRun(record.id.rawValue) + "/attach")
        let relay = TerminalRelay(console: console, tty: record.config.tty, forwardStdin: record.config.openStdin)
        let outcome = relay.run(.framed(connection))
        if outcome != .detached {
            // As with Docker, the container's state says "exited" once attach returns.
            _ = waitStopped(record, timeout: 30)
        }
        return outcome
    }
}
