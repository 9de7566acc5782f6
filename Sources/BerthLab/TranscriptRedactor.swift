import BerthCore
import Foundation

/// What never reaches a transcript: text matching `--redact REGEX`, and whatever is typed at a
/// password prompt (`docker login`, `sudo`, `passwd`). Redaction happens before an event is
/// written and hashed, so it cannot be undone from the file.
package struct TranscriptRedactor: Sendable {
    package static let replacement = "[REDACTED]"
    /// The last output line of a prompt that asks for a secret.
    static let promptPattern = #"(?i)(password|passphrase|passwort|비밀번호|pin|token)[^\n]{0,40}:\s*$"#

    let patterns: [String]
    package var masksSecretInput: Bool

    package init(patterns: [String] = [], masksSecretInput: Bool = true) throws {
        for p in patterns {
            do { _ = try NSRegularExpression(pattern: p) } catch {
                throw BerthError(message: "invalid --redact pattern \"\(p)\": not a regular expression", exitCode: 125)
            }
        }
        self.patterns = patterns
        self.masksSecretInput = masksSecretInput
    }

    /// Whether user patterns are set: then the recorder writes output and input a line at a
    /// time, so a pattern can match text that arrived in pieces (a learner typing slowly).
    package var buffersLines: Bool { !patterns.isEmpty }

    /// `text` with every match of every pattern replaced.
    package func redact(_ text: String) -> String {
        var out = text
        for p in patterns {
            guard let regex = try? NSRegularExpression(pattern: p) else { continue }
            out = regex.stringByReplacingMatches(
                in: out, range: NSRange(out.startIndex..., in: out), withTemplate: NSRegularExpression.escapedTemplate(for: Self.replacement))
        }
        return out
    }

    /// Whether the screen's last line asks for a secret.
    package static func isSecretPrompt(_ lastLine: String) -> Bool {
        lastLine.range(of: promptPattern, options: .regularExpression) != nil
    }

    /// A marker's payload with its typed line redacted, so the command markers do not carry
    /// what the `"i"` and `"o"` events no longer do.
    package func redact(_ payload: MarkerPayload) -> MarkerPayload {
        var p = payload
        p.line = p.line.map(redact)
        return p
    }

    /// Typed input with every character but Enter replaced by `*`.
    package static func mask(_ input: String) -> String {
        String(input.map { $0 == "\r" || $0 == "\n" ? $0 : "*" })
    }
}
