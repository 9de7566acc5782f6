import BerthCore

/// Go's text/template lexer: text between actions, `{{- ` / ` -}}` trimming, `{{/* comments */}}`,
/// and the tokens inside an action. Positions are byte offsets, as Go reports them.
extension GoTemplate {
    struct Token: Equatable {
        enum Kind: Equatable {
            case text(String)
            case open, close
            case field(String)  // `.Name` without the dot
            case dot
            case variable(String)  // `$x`, `$`
            case identifier(String)
            case string(String)
            case number(Double)
            case pipe, leftParen, rightParen, declare, assign, comma
        }
        var kind: Kind
        var pos: Int
    }

    static func lex(_ source: String) throws(BerthError) -> [Token] {
        let b = Array(source.utf8)
        var tokens: [Token] = []
        var i = 0
        var trimNextText = false
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        func error(_ text: String) -> BerthError { parseError(text, line: 1 + b[..<min(i, b.count)].filter { $0 == 0x0A }.count) }
        func starts(_ s: String, at j: Int) -> Bool { b.count >= j + s.utf8.count && Array(b[j..<j + s.utf8.count]) == Array(s.utf8) }
        while i < b.count {
            // Text up to the next `{{`.
            var j = i
            while j < b.count, !starts("{{", at: j) { j += 1 }
            var text = String(decoding: b[i..<j], as: UTF8.self)
            if trimNextText { text = String(text.drop { $0.isWhitespace }) }
            trimNextText = false
            if j < b.count, j + 3 < b.count, b[j + 2] == UInt8(ascii: "-"), isSpace(b[j + 3]) {
                while let last = text.last, last.isWhitespace { text.removeLast() }
            }
            if !text.isEmpty { tokens.append(Token(kind: .text(text), pos: i)) }
            guard j < b.count else { break }
            // The action.
            i = j + 2
            if i + 1 < b.count, b[i] == UInt8(ascii: "-"), isSpace(b[i + 1]) { i += 2 }
            while i < b.count, isSpace(b[i]) { i += 1 }
            if starts("/*", at: i) {
                guard let end = (i..<b.count).first(where: { starts("*/", at: $0) }) else { throw error("unclosed comment") }
                i = end + 2
                while i < b.count, isSpace(b[i]) { i += 1 }
                if starts("-}}", at: i) { trimNextText = true; i += 1 }
                guard starts("}}", at: i) else { throw error("comment ends before closing delimiter") }
                i += 2
                continue
            }
            tokens.append(Token(kind: .open, pos: j))
            while true {
                guard i < b.count else { throw error("unclosed action") }
                let c = b[i]
                let start = i
                if isSpace(c) {
                    i += 1
                    if i + 2 < b.count, b[i] == UInt8(ascii: "-"), starts("}}", at: i + 1) { trimNextText = true; i += 1 }
                    continue
                }
                if starts("}}", at: i) {
                    tokens.append(Token(kind: .close, pos: i))
                    i += 2
                    break
                }
                func word(from k: Int) -> String {
                    var e = k
                    while e < b.count, b[e] == UInt8(ascii: "_") || (b[e] >= 0x30 && b[e] <= 0x39) || (b[e] | 0x20 >= 0x61 && b[e] | 0x20 <= 0x7A) || b[e] >= 0x80 { e += 1 }
                    i = e
                    return String(decoding: b[k..<e], as: UTF8.self)
                }
                switch c {
                case UInt8(ascii: "."):
                    if i + 1 < b.count, b[i + 1] >= 0x30, b[i + 1] <= 0x39 { fallthrough }
                    let name = word(from: i + 1)
                    tokens.append(Token(kind: name.isEmpty ? .dot : .field(name), pos: start))
                case UInt8(ascii: "-"), UInt8(ascii: "+"), 0x30...0x39:
                    var e = i + 1
                    while e < b.count, b[e] == UInt8(ascii: ".") || b[e] == UInt8(ascii: "_") || (b[e] | 0x20 >= 0x61 && b[e] | 0x20 <= 0x7A) || (b[e] >= 0x30 && b[e] <= 0x39) { e += 1 }
                    let literal = String(decoding: b[i..<e], as: UTF8.self)
                    guard let n = Double(literal.replacingOccurrences(of: "_", with: "")) ?? Int64(literal.dropFirst(literal.hasPrefix("0x") ? 2 : 0), radix: 16).map(Double.init) else {
                        throw error("bad number syntax: \"\(literal)\"")
                    }
                    i = e
                    tokens.append(Token(kind: .number(n), pos: start))
                case UInt8(ascii: "$"):
                    tokens.append(Token(kind: .variable("$" + word(from: i + 1)), pos: start))
                case UInt8(ascii: "\""):
                    var s: [UInt8] = []
                    i += 1
                    while true {
                        guard i < b.count, b[i] != 0x0A else { throw error("unterminated quoted string") }
                        if b[i] == UInt8(ascii: "\"") { break }
                        if b[i] == UInt8(ascii: "\\"), i + 1 < b.count {
                            i += 1
                            switch b[i] {
                            case UInt8(ascii: "n"): s.append(0x0A)
                            case UInt8(ascii: "t"): s.append(0x09)
                            case UInt8(ascii: "r"): s.append(0x0D)
                            default: s.append(b[i])
                            }
                        } else {
                            s.append(b[i])
                        }
                        i += 1
                    }
                    i += 1
                    tokens.append(Token(kind: .string(String(decoding: s, as: UTF8.self)), pos: start))
                case UInt8(ascii: "`"):
                    guard let end = b[(i + 1)...].firstIndex(of: UInt8(ascii: "`")) else { throw error("unterminated raw quoted string") }
                    tokens.append(Token(kind: .string(String(decoding: b[(i + 1)..<end], as: UTF8.self)), pos: start))
                    i = end + 1
                case UInt8(ascii: "|"): tokens.append(Token(kind: .pipe, pos: start)); i += 1
                case UInt8(ascii: "("): tokens.append(Token(kind: .leftParen, pos: start)); i += 1
                case UInt8(ascii: ")"): tokens.append(Token(kind: .rightParen, pos: start)); i += 1
                case UInt8(ascii: ","): tokens.append(Token(kind: .comma, pos: start)); i += 1
                case UInt8(ascii: "="): tokens.append(Token(kind: .assign, pos: start)); i += 1
                case UInt8(ascii: ":"):
                    guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "=") else { throw error("expected :=") }
                    tokens.append(Token(kind: .declare, pos: start))
                    i += 2
                default:
                    let name = word(from: i)
                    guard !name.isEmpty else {
                        let u = String(decoding: b[i..<min(i + 1, b.count)], as: UTF8.self).unicodeScalars.first!
                        throw error("bad character U+\(String(format: "%04X", u.value)) '\(u)'")
                    }
                    tokens.append(Token(kind: .identifier(name), pos: start))
                }
            }
        }
        return tokens
    }

    /// Go's parse errors: `template: :LINE: text`; Docker prefixes "template parsing error: ".
    static func parseError(_ text: String, line: Int) -> BerthError {
        BerthError(message: "template parsing error: template: :\(line): \(text)", exitCode: 1)
    }
}
