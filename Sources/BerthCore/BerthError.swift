/// The one error type users see: a message in Docker's words and Docker's exit code.
///
/// Exit codes follow `docker run`: 1 when the request is refused (no such container),
/// 125 when berth itself failed, 126 when the command cannot be invoked, 127 when it
/// cannot be found.
public struct BerthError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32
    /// errno, step, path: shown only with `--debug`.
    public var detail: String

    public init(message: String, exitCode: Int32 = 125, detail: String = "") {
        self.message = message
        self.exitCode = exitCode
        self.detail = detail
    }

    public var description: String { message }

    /// Equality ignores `detail`, so tests can compare with the factory functions.
    public static func == (a: BerthError, b: BerthError) -> Bool {
        a.message == b.message && a.exitCode == b.exitCode
    }
}
