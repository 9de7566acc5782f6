/// JSON text as Go's encoding/json writes it: Docker's inspect, templates' `json`, the lab's markers.
public enum GoJSON {
    /// Go's string encoding: short escapes for `\n` `\r` `\t` `\b` `\f`, `\u00XX` for other control
    /// characters, and `\u2028`/`\u2029` so the output is safe inside JavaScript.
    public static func quoted(_ s: String, escapeHTML: Bool = false) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where escapeHTML && (u == "<" || u == ">" || u == "&"): out += "\\u00" + String(u.value, radix: 16)
            case "\u{2028}", "\u{2029}": out += "\\u" + String(u.value, radix: 16)
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
