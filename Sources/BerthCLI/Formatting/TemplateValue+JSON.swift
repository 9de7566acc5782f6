import BerthCore

/// Go's encoding/json for template values: struct fields in declared order, map keys sorted,
/// nil `omitempty` fields left out.
extension TemplateValue {
    /// Docker's `{{json .X}}`: compact, and `<`, `>`, `&` left as they are (its encoder turns HTML escaping off).
    var json: String {
        var out = ""
        writeJSON(to: &out, indent: nil, level: 0, escapeHTML: false)
        return out
    }

    /// `docker inspect`: `json.Indent` with four spaces over the daemon's JSON, which escapes `<`, `>`, `&`.
    var indentedJSON: String {
        var out = ""
        writeJSON(to: &out, indent: "    ", level: 0, escapeHTML: true)
        return out
    }

    private func writeJSON(to out: inout String, indent: String?, level: Int, escapeHTML: Bool) {
        func newline(_ depth: Int) {
            guard let indent else { return }
            out += "\n" + String(repeating: indent, count: depth)
        }
        switch self {
        case .string(let s): out += Self.quoted(s, escapeHTML: escapeHTML)
        case .number(let n): out += n.goString
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let a):
            guard !a.isEmpty else { out += "[]"; return }
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                v.writeJSON(to: &out, indent: indent, level: level + 1, escapeHTML: escapeHTML)
            }
            newline(level)
            out += "]"
        case .object(let o):
            let keys = o.keys.filter { !o.omitted.contains($0) }
            guard !keys.isEmpty else { out += "{}"; return }
            out += "{"
            for (i, k) in keys.enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                out += Self.quoted(k, escapeHTML: escapeHTML) + (indent == nil ? ":" : ": ")
                o.values[k]!.writeJSON(to: &out, indent: indent, level: level + 1, escapeHTML: escapeHTML)
            }
            newline(level)
            out += "}"
        }
    }

    static func quoted(_ s: String, escapeHTML: Bool) -> String { GoJSON.quoted(s, escapeHTML: escapeHTML) }
}
