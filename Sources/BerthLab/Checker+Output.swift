import Foundation

extension Checker.Evaluation {
    func output(_ c: OutputCheck) throws -> CheckFailure? {
        // A terminal ends lines with CRLF; patterns are written for LF.
        let out = context.lastOutput.replacingOccurrences(of: "\r\n", with: "\n")
        switch c.match {
        case .text(let raw):
            let text = try expand(raw)
            return out.contains(text) ? nil : .outputMissing("\"\(text)\"")
        case .regex(let raw):
            let pattern = try expand(raw, forRegex: true)
            let regex = try NSRegularExpression(pattern: pattern)
            let found = regex.firstMatch(in: out, range: NSRange(out.startIndex..., in: out)) != nil
            return found ? nil : .outputMissing("/\(raw)/")
        }
    }

    func command(_ names: [String]) -> CheckFailure? {
        let ran = MistakeMatcher.invocations(in: context.lastLine ?? "")
        return ran.contains { !$0.commands.isDisjoint(with: names) } ? nil : .commandNotRun(names)
    }
}
