import BerthCore
import Foundation

/// A parsed Dockerfile, following the rules of Docker's parser: parser directives
/// (`# escape=`) only at the very top, `#` comment lines (also between continuation lines),
/// a trailing escape character joining the next line, and the JSON exec form.
package struct Dockerfile: Equatable, Sendable {
    package var escape: Character = "\\"
    package var instructions: [Instruction] = []

    /// Instructions the classic builder knows. Anything else is a parse error.
    static let known: Set<String> = [
        "FROM", "RUN", "CMD", "ENTRYPOINT", "WORKDIR", "ENV", "ARG", "ADD", "COPY", "EXPOSE", "VOLUME",
        "USER", "LABEL", "MAINTAINER", "STOPSIGNAL", "SHELL", "ONBUILD", "HEALTHCHECK",
    ]
    /// Instructions whose arguments may be a JSON array.
    static let jsonForms: Set<String> = ["RUN", "CMD", "ENTRYPOINT", "SHELL", "ADD", "COPY", "VOLUME"]

    package init(escape: Character = "\\", instructions: [Instruction] = []) {
        self.escape = escape
        self.instructions = instructions
    }

    package static func parse(_ text: String) throws(BerthError) -> Dockerfile {
        var file = Dockerfile()
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        if let first = lines.first, first.hasPrefix("\u{FEFF}") { lines[0] = String(first.dropFirst()) }

        var index = 0
        // Directives: `# name=value` lines before anything else; the first other line ends them.
        var seenDirectives: Set<String> = []
        while index < lines.count, let (name, value) = directive(lines[index]), !seenDirectives.contains(name) {
            seenDirectives.insert(name)
            if name == "escape" {
                guard value == "\\" || value == "`" else {
                    throw .dockerfileParse(line: index + 1, "invalid escape token '\(value)' does not match ` or \\")
                }
                file.escape = Character(value)
            }
            index += 1
        }

        while index < lines.count {
            let startLine = index + 1
            let first = trimLeft(lines[index])
            index += 1
            if first.isEmpty || first.hasPrefix("#") { continue }
            var (logical, ended) = trimContinuation(first, escape: file.escape)
            while !ended && index < lines.count {
                let next = lines[index]
                index += 1
                let left = trimLeft(next)
                if left.hasPrefix("#") { continue }
                if left.isEmpty { continue }  // an empty continuation line: Docker warns, then skips it
                let (part, end) = trimContinuation(next, escape: file.escape)
                logical += part
                ended = end
            }
            if logical.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            file.instructions.append(try instruction(logical, line: startLine))
        }
        return file
    }

    /// Splits `KEYWORD --flag=x args` and recognises the JSON form.
    static func instruction(_ logical: String, line: Int) throws(BerthError) -> Instruction {
        let trimmed = logical.trimmingCharacters(in: .whitespaces)
        let keywordEnd = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? trimmed.endIndex
        let keyword = trimmed[..<keywordEnd].uppercased()
        guard known.contains(keyword) else { throw .unknownInstruction(line: line, String(trimmed[..<keywordEnd])) }
        var rest = trimmed[keywordEnd...].trimmingCharacters(in: .whitespaces)
        var flags: [String] = []
        // Builder flags come first; `RUN --foo` style flags stop at the first non-flag word.
        while rest.hasPrefix("--") {
            let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
            let flag = String(rest[..<end])
            if flag == "--" { break }
            flags.append(flag)
            rest = rest[end...].trimmingCharacters(in: .whitespaces)
        }
        var json: [String]?
        if jsonForms.contains(keyword), rest.hasPrefix("["),
            let data = rest.data(using: .utf8),
            let array = try? JSONSerialization.jsonObject(with: data) as? [Any],
            array.allSatisfy({ $0 is String })
        {
            json = array.compactMap { $0 as? String }
        }
        return Instruction(keyword: keyword, line: line, original: trimmed, flags: flags, arguments: rest, json: json)
    }

    /// `# escape=\`` → ("escape", "`"); nil for any other line.
    static func directive(_ line: String) -> (String, String)? {
        let t = trimLeft(line)
        guard t.hasPrefix("#") else { return nil }
        let body = t.dropFirst().trimmingCharacters(in: .whitespaces)
        guard let eq = body.firstIndex(of: "=") else { return nil }
        let name = body[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber }), name.first!.isLetter else { return nil }
        return (name, body[body.index(after: eq)...].trimmingCharacters(in: .whitespaces))
    }

    static func trimLeft(_ s: String) -> String {
        String(s.drop(while: { $0 == " " || $0 == "\t" }))
    }

    /// Drops a trailing escape character (and the blanks after it); says whether the
    /// logical line ends here.
    static func trimContinuation(_ line: String, escape: Character) -> (String, Bool) {
        var s = Substring(line)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        if s.last == escape {
            return (String(s.dropLast()), false)
        }
        return (line, true)
    }
}
