import BerthCore

/// The part of Go's text/template that `docker ... --format` users write:
/// `{{.Field}}`, `{{.A.B}}`, `{{json .X}}`, `{{index .Map "key"}}`, `{{upper .X}}`,
/// `{{lower .X}}`, `{{join .List ","}}`, plus Docker's `table` prefix and `\t`, `\n`.
struct GoTemplate {
    enum Piece {
        case text(String)
        case action(String)
    }

    let pieces: [Piece]
    /// `table ...`: print a header row first and align columns with a tabwriter.
    let isTable: Bool

    init(_ source: String) throws {
        var src = source
        isTable = src.hasPrefix("table ") || src == "table"
        if isTable { src = String(src.dropFirst(5)).trimmingLeadingSpace() }
        src = src.replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
        var pieces: [Piece] = []
        var rest = Substring(src)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { pieces.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw BerthError(message: "template parsing error: template: :1: unclosed action", exitCode: 1)
            }
            pieces.append(.action(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        self.pieces = pieces
    }

    func render(_ value: TemplateValue) throws -> String {
        try pieces.map { piece in
            switch piece {
            case .text(let t): return t
            case .action(let a): return try evaluate(a, value).goStringForOutput
            }
        }.joined()
    }

    /// The header row for `table`: each `{{.Field}}` becomes its column title.
    func header(_ titles: [String: String]) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let t): return t
            case .action(let a):
                let field = a.split(separator: " ").last.map { String($0.dropFirst()) } ?? a
                return titles[field] ?? field.uppercased()
            }
        }.joined()
    }

    private func evaluate(_ action: String, _ dot: TemplateValue) throws -> Rendered {
        let words = tokenize(action)
        guard let head = words.first else { return .value(.null) }
        func arg(_ i: Int) throws -> TemplateValue {
            guard i < words.count else { throw templateError("wrong number of args for \(head)") }
            return try operand(words[i], dot)
        }
        switch head {
        case "json": return .raw(try arg(1).json)
        case "upper": return .raw(try arg(1).goString.uppercased())
        case "lower": return .raw(try arg(1).goString.lowercased())
        case "join":
            guard case .array(let a) = try arg(1) else { return .raw("") }
            return .raw(a.map(\.goString).joined(separator: try arg(2).goString))
        case "index":
            var v = try arg(1)
            for i in 2..<max(2, words.count) {
                let key = try arg(i)
                switch (v, key) {
                case (.object(let d, _), _): v = d[key.goString] ?? .null
                case (.array(let a), .number(let n)) where Int(n) < a.count && n >= 0: v = a[Int(n)]
                default: v = .null
                }
            }
            return .value(v)
        case "println": return .raw(try arg(1).goString + "\n")
        default:
            return .value(try operand(head, dot))
        }
    }

    private func operand(_ word: String, _ dot: TemplateValue) throws -> TemplateValue {
        if word.hasPrefix("\""), word.hasSuffix("\""), word.count >= 2 { return .string(String(word.dropFirst().dropLast())) }
        if let n = Double(word) { return .number(n) }
        if word == "." { return dot }
        guard word.hasPrefix(".") else { throw templateError("function \"\(word)\" not defined") }
        var v = dot
        for key in word.dropFirst().split(separator: ".") {
            guard case .object(let d, _) = v else {
                throw templateError("can't evaluate field \(key) in type \(typeName(v))")
            }
            guard let next = d[String(key)] else {
                throw templateError("can't evaluate field \(key) in type \(typeName(v))")
            }
            v = next
        }
        return v
    }

    private func tokenize(_ s: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        for ch in s {
            if ch == "\"" { quoted.toggle(); cur.append(ch); continue }
            if ch == " " && !quoted {
                if !cur.isEmpty { out.append(cur) }
                cur = ""
            } else {
                cur.append(ch)
            }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }

    private func typeName(_ v: TemplateValue) -> String {
        switch v {
        case .string: return "string"
        case .number: return "float64"
        case .bool: return "bool"
        case .array: return "[]interface {}"
        case .object: return "map[string]interface {}"
        case .null: return "interface {}"
        case .goNil(let text): return text == "[]" ? "[]string" : "*int64"
        }
    }

    private func templateError(_ text: String) -> BerthError {
        BerthError(message: "template: :1: executing \"\" at <>: \(text)", exitCode: 1)
    }

    enum Rendered {
        case value(TemplateValue)
        case raw(String)
        var goStringForOutput: String {
            switch self {
            case .value(let v): return v.goString
            case .raw(let s): return s
            }
        }
    }
}

extension String {
    func trimmingLeadingSpace() -> String { String(drop { $0 == " " }) }
}

extension GoTemplate {
    /// Prints rendered rows; a `table` template gets its header row and Docker's column alignment.
    func write(_ rows: [String], titles: [String: String], to console: Console) {
        guard isTable else {
            rows.forEach { console.out($0) }
            return
        }
        var tw = TabWriter()
        tw.add(header(titles))
        rows.forEach { tw.add($0) }
        console.out(tw.render())
    }
}
