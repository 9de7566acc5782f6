import Foundation

/// `.dockerignore` as Docker's pattern matcher reads it: one pattern a line, `#` comments,
/// `*` and `?` within one path element, `**` across any number of them, `!` for an
/// exception; the last pattern that matches a path decides. A pattern that matches a
/// directory excludes everything under it.
package struct DockerIgnore: Sendable {
    struct Pattern: @unchecked Sendable {
        var regex: NSRegularExpression
        var exclusion: Bool
        var elements: Int
    }

    var patterns: [Pattern] = []

    package init(_ text: String) {
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\r") { line = String(line.dropLast()) }
            if line.isEmpty || line.hasPrefix("#") { continue }
            var exclusion = false
            if line.hasPrefix("!") {
                exclusion = true
                line = line.dropFirst().trimmingCharacters(in: .whitespaces)
            }
            let cleaned = DockerIgnore.clean(line)
            if cleaned.isEmpty || cleaned == "." { continue }
            guard let regex = try? NSRegularExpression(pattern: DockerIgnore.regex(cleaned)) else { continue }
            patterns.append(Pattern(regex: regex, exclusion: exclusion, elements: cleaned.split(separator: "/").count))
        }
    }

    /// Whether some pattern could bring back a path under an excluded directory.
    package var hasExceptions: Bool { patterns.contains { $0.exclusion } }

    /// `path` is relative to the context root, `/`-separated, without `./`.
    package func excludes(_ path: String) -> Bool {
        let parents = path.split(separator: "/").dropLast().map(String.init)
        var excluded = false
        for p in patterns {
            var match = DockerIgnore.matches(p.regex, path)
            if !match, !parents.isEmpty, p.elements <= parents.count {
                match = DockerIgnore.matches(p.regex, parents.prefix(p.elements).joined(separator: "/"))
            }
            if match { excluded = !p.exclusion }
        }
        return excluded
    }

    static func matches(_ regex: NSRegularExpression, _ s: String) -> Bool {
        regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }

    /// filepath.Clean without a leading `/` or `./`.
    static func clean(_ pattern: String) -> String {
        var out: [Substring] = []
        for part in pattern.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = out.last, last != ".." { out.removeLast(); continue }
            out.append(part)
        }
        return out.joined(separator: "/")
    }

    /// Docker's translation of a pattern into an anchored regular expression.
    static func regex(_ pattern: String) -> String {
        var out = "^"
        let chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "*":
                if i + 1 < chars.count && chars[i + 1] == "*" {
                    i += 1
                    if i + 1 < chars.count && chars[i + 1] == "/" {
                        i += 1
                        out += "(.*/)?"  // `**/` matches zero or more directories
                    } else {
                        out += ".*"
                    }
                } else {
                    out += "[^/]*"
                }
            case "?":
                out += "[^/]"
            case "[":
                // A character class passes through; `[!…]` is fnmatch's negation.
                var j = i + 1
                var cls = "["
                if j < chars.count && chars[j] == "!" { cls += "^"; j += 1 }
                while j < chars.count && chars[j] != "]" {
                    cls += chars[j] == "\\" ? "\\\\" : String(chars[j])
                    j += 1
                }
                if j < chars.count {
                    out += cls + "]"
                    i = j
                } else {
                    out += "\\["
                }
            case "\\":
                if i + 1 < chars.count {
                    i += 1
                    out += NSRegularExpression.escapedPattern(for: String(chars[i]))
                }
            default:
                out += NSRegularExpression.escapedPattern(for: String(c))
            }
            i += 1
        }
        return out + "$"
    }
}
