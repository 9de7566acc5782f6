import ArgumentParser
import BerthCore
import BerthRuntime

/// `stop` and `restart`'s flags: `-t/--timeout` (`--time` is Docker's deprecated spelling)
/// and `-s/--signal`. The timeout is read as text so a bad one gets cobra's words.
struct StopOptions: ParsableArguments {
    @Option(name: [.short, .customLong("timeout"), .customLong("time")], help: "Seconds to wait before killing the container")
    var timeout = "10"
    @Option(name: .shortAndLong, help: "Signal to send to the container") var signal = "TERM"

    /// Seconds to wait; -1 waits for ever, as Docker's does.
    func seconds(command: String) throws -> Double {
        guard let n = Int(timeout) else {
            let (text, code) = DockerUsage.flagError(
                "invalid argument \"\(timeout)\" for \"-t, --timeout\" flag: strconv.ParseInt: parsing \"\(timeout)\": invalid syntax",
                path: command)
            throw BerthError(message: text, exitCode: code)
        }
        return n < 0 ? .infinity : Double(n)
    }

    func stopSignal() throws -> Int32 { try SignalName.parse(signal) }
}
