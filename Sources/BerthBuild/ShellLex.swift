import BerthCore

/// Docker's word processing for the instructions it substitutes in (FROM, ADD, COPY, ENV,
/// ARG, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL): quotes are removed, the escape
/// character quotes the next character, and `$VAR`, `${VAR}`, `${VAR:-default}`,
/// `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}` are replaced from `env`. Single quotes stop
/// substitution. RUN, CMD and ENTRYPOINT are left to the shell in the container.
package struct ShellLex: Sendable {
    package var escape: Character

    package init(escape: Character = "\\") {
        self.escape = escape
    }

    /// One word, quotes removed and variables replaced.
    package func processWord(_ word: String, env: [String: String]) throws(BerthError) -> String {
        var out = ""
        var chars = Array(word)[...]
        while let c = chars.popFirst() {
            switch c {
            case "'":
                while let d = chars.popFirst(), d != "'" { out.append(d) }
            case "\"":
                while let d = chars.popFirst(), d != "\"" {
                    if d == escape, let n = chars.first {
                        // In double quotes the escape only quotes `"`, `$` and itself.
                        if n == "\"" || n == "$" || n == escape {
                            out.append(n)
                            chars.removeFirst()
                        } else {
                            out.append(d)
                        }
                    } else if d == "$" {
                        out += try variable(&chars, env: env)
                    } else {
                        out.append(d)
                    }
                }
            case escape:
                if let n = chars.popFirst() { out.append(n) }
            case "$":
                out += try variable(&chars, env: env)
            default:
                out.append(c)
            }
        }
        return out
    }

    /// Words separated by blanks, quotes and escapes kept (for `processWord` to remove).
    package func splitWords(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if let q = quote {
                current.append(c)
                if c == escape && q == "\"", let n = chars.popFirst() {
                    current.append(n)
                } else if c == q {
                    quote = nil
                }
                continue
            }
            if c == " " || c == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
                continue
            }
            inWord = true
            current.append(c)
            if c == escape, let n = chars.popFirst() {
                current.append(n)
            } else if c == "\"" || c == "'" {
                quote = c
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// Every word of `text` processed.
    package func processWords(_ text: String, env: [String: String]) throws(BerthError) -> [String] {
        try splitWords(text).map { (w: String) throws(BerthError) -> String in try processWord(w, env: env) }
    }

    private func variable(_ chars: inout ArraySlice<Character>, env: [String: String]) throws(BerthError) -> String {
        guard let first = chars.first else { return "$" }
        if first == "{" {
            chars.removeFirst()
            var name = ""
            while let c = chars.first, c.isLetter || c.isNumber || c == "_" {
                name.append(c)
                chars.removeFirst()
            }
            guard let next = chars.popFirst() else {
                throw .init(message: "failed to process \"${\(name)\": missing '}'", exitCode: 1)
            }
            if next == "}" { return env[name] ?? "" }
            var modifier = String(next)
            if next == ":", let m = chars.popFirst() { modifier.append(m) }
            // The word after the modifier, itself substituted, up to the matching brace.
            var word = ""
            var depth = 0
            while let c = chars.popFirst() {
                if c == "}" && depth == 0 { break }
                if c == "{" { depth += 1 }
                if c == "}" { depth -= 1 }
                word.append(c)
            }
            let value = env[name]
            switch modifier {
            case ":-": return (value ?? "").isEmpty ? try processWord(word, env: env) : value!
            case "-":
                if let value { return value }
                return try processWord(word, env: env)
            case ":+": return (value ?? "").isEmpty ? "" : try processWord(word, env: env)
            case "+": return value == nil ? "" : try processWord(word, env: env)
            case ":?", "?":
                if (modifier == "?" && value == nil) || (modifier == ":?" && (value ?? "").isEmpty) {
                    throw .init(message: "failed to process \"${\(name)\(modifier)\(word)}\": \(name): \(word.isEmpty ? "is not allowed to be unset" : word)", exitCode: 1)
                }
                return value!
            default:
                throw .init(message: "failed to process \"${\(name)\(modifier)\(word)}\": unsupported modifier (\(modifier)) in substitution", exitCode: 1)
            }
        }
        var name = ""
        while let c = chars.first, c.isLetter || c.isNumber || c == "_" {
            name.append(c)
            chars.removeFirst()
        }
        if name.isEmpty { return "$" }
        return env[name] ?? ""
    }
}
