/// Splits a command line into words the way `sh` would, closely enough to look at what was
/// typed: quotes removed, backslash escapes honoured, `$(...)` and backticks kept whole
/// inside their word, and `;` `|` `&&` `||` `&` as separators between commands.
/// It never expands or runs anything.
package enum ShellWords {
    /// One simple command after another.
    package static func commands(_ line: String) -> [[String]] {
        var commands: [[String]] = [[]]
        for token in tokens(line) {
            switch token {
            case .separator: if !(commands.last?.isEmpty ?? true) { commands.append([]) }
            case .word(let w): commands[commands.count - 1].append(w)
            }
        }
        return commands.filter { !$0.isEmpty }
    }

    enum Token: Equatable {
        case word(String)
        case separator
    }

    static func tokens(_ line: String) -> [Token] {
        var out: [Token] = []
        var word = ""
        var inWord = false
        var chars = Array(line)[...]

        func flush() {
            if inWord { out.append(.word(word)) }
            word = ""
            inWord = false
        }
        /// `$(` … `)` with nesting, or `` ` `` … `` ` ``, copied as typed.
        func substitution(closing: Character, opening: Character?) {
            var depth = 1
            while let c = chars.popFirst() {
                word.append(c)
                if c == "\\", let next = chars.popFirst() { word.append(next); continue }
                if let opening, c == opening { depth += 1 }
                if c == closing { depth -= 1; if depth == 0 { return } }
            }
        }

        while let c = chars.popFirst() {
            switch c {
            case " ", "\t", "\n":
                flush()
            case ";", "|", "&":
                flush()
                if let next = chars.first, next == c, c != ";" { chars.removeFirst() }
                out.append(.separator)
            case "#" where !inWord:
                chars = []
            case "'":
                inWord = true
                while let q = chars.popFirst(), q != "'" { word.append(q) }
            case "\"":
                inWord = true
                while let q = chars.popFirst(), q != "\"" {
                    if q == "\\", let next = chars.first, "\"\\$`".contains(next) {
                        word.append(chars.removeFirst())
                    } else if q == "$", chars.first == "(" {
                        word.append("$")
                        word.append(chars.removeFirst())
                        substitution(closing: ")", opening: "(")
                    } else if q == "`" {
                        word.append(q)
                        substitution(closing: "`", opening: nil)
                    } else {
                        word.append(q)
                    }
                }
            case "\\":
                inWord = true
                if let next = chars.popFirst(), next != "\n" { word.append(next) }
            case "$" where chars.first == "(":
                inWord = true
                word.append("$")
                word.append(chars.removeFirst())
                substitution(closing: ")", opening: "(")
            case "`":
                inWord = true
                word.append(c)
                substitution(closing: "`", opening: nil)
            default:
                inWord = true
                word.append(c)
            }
        }
        flush()
        return out
    }
}
