import Foundation

/// Go's `%q` of a string slice, as Docker writes `CMD ["sh" "-c" "x"]` in history.
enum GoQuote {
    static func list(_ items: [String]) -> String {
        "[" + items.map(string).joined(separator: " ") + "]"
    }

    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7f { out += String(format: "\\x%02x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
