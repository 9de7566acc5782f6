#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// Writes one JSON line per lab event to an inherited fd (`BERTH_LAB_MARKERS_FD`), for the
/// transcript recorder. The contract is in Documentation/Lab.md; keys appear in a fixed order.
package final class MarkerSink {
    let fd: Int32

    package init(fd: Int32) { self.fd = fd }

    /// The sink the environment names, with the fd marked close-on-exec so that commands the
    /// lab runs never inherit it. nil when the variable is unset or not an open fd.
    package static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> MarkerSink? {
        guard let text = env["BERTH_LAB_MARKERS_FD"], let fd = Int32(text), fd > 2, fcntl(fd, F_GETFD) >= 0 else {
            return nil
        }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return MarkerSink(fd: fd)
    }

    package func step(chapter: String, step: String, index: Int, total: Int) {
        emit([("kind", .string("step")), ("chapter", .string(chapter)), ("step", .string(step)),
              ("index", .int(index)), ("total", .int(total))])
    }

    package func check(chapter: String, step: String, passed: Bool, hints: Int, attempts: Int) {
        emit([("kind", .string("check")), ("chapter", .string(chapter)), ("step", .string(step)),
              ("passed", .bool(passed)), ("hints", .int(hints)), ("attempts", .int(attempts))])
    }

    /// A lab command that helps or bypasses the learner (`hint`, `solution`, `skip`, `reset`):
    /// grading tells a step the learner solved from one `:solution run` solved. `run` is set
    /// for a solution that was run, not only shown.
    package func labAction(_ kind: String, chapter: String, step: String?, run: Bool = false) {
        var fields: [(String, Value)] = [("kind", .string(kind)), ("chapter", .string(chapter))]
        if let step { fields.append(("step", .string(step))) }
        if run { fields.append(("run", .bool(true))) }
        emit(fields)
    }

    package func command(line: String, exit: Int32) {
        emit([("kind", .string("command")), ("line", .string(line)), ("exit", .int(Int(exit)))])
    }

    enum Value {
        case string(String), int(Int), bool(Bool)
    }

    func emit(_ fields: [(String, Value)]) {
        var bytes = Array(Self.line(fields).utf8)
        writeAll(fd, &bytes)
    }

    static func line(_ fields: [(String, Value)]) -> String {
        let body = fields.map { key, value -> String in
            let v: String
            switch value {
            case .string(let s): v = GoJSON.quoted(s)
            case .int(let i): v = String(i)
            case .bool(let b): v = b ? "true" : "false"
            }
            return GoJSON.quoted(key) + ":" + v
        }
        return "{" + body.joined(separator: ",") + "}\n"
    }
}
