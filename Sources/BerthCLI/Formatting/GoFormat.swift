import Foundation

/// Go's fmt.Sprintf for template values: flags `-+ 0#`, width, precision, and the verbs
/// `v s q d x X o b c t f F e E g G %`, with Go's `%!d(string=abc)`, `%!s(MISSING)` and `%!(EXTRA ...)`.
enum GoFormat {
    static func sprintf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = ""
        var next = 0
        var chars = Substring(format)
        while let percent = chars.firstIndex(of: "%") {
            out += chars[..<percent]
            chars = chars[chars.index(after: percent)...]
            var flags = Set<Character>()
            while let c = chars.first, "-+# 0".contains(c) { flags.insert(c); chars.removeFirst() }
            let width = Int(String(chars.prefix { $0.isNumber }))
            chars = chars.drop { $0.isNumber }
            var precision: Int?
            if chars.first == "." {
                chars.removeFirst()
                precision = Int(String(chars.prefix { $0.isNumber })) ?? 0
                chars = chars.drop { $0.isNumber }
            }
            guard let verb = chars.popFirst() else { out += "%!(NOVERB)"; break }
            if verb == "%" { out += "%"; continue }
            guard next < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[next]
            next += 1
            guard var s = apply(verb, to: arg, precision: precision, plus: flags.contains("+"), sharp: flags.contains("#")) else {
                out += "%!\(verb)(\(arg.goType)=\(arg.goString))"
                continue
            }
            if let width, s.count < width {
                let pad = width - s.count
                if flags.contains("-") {
                    s += String(repeating: " ", count: pad)
                } else if flags.contains("0"), case .number = arg {
                    let sign = s.first == "-" || s.first == "+" ? String(s.removeFirst()) : ""
                    s = sign + String(repeating: "0", count: pad) + s
                } else {
                    s = String(repeating: " ", count: pad) + s
                }
            }
            out += s
        }
        out += chars
        if next < args.count {
            out += "%!(EXTRA " + args[next...].map { "\($0.goType)=\($0.goString)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    /// One verb applied to one value; nil when Go would call the verb wrong for the type.
    private static func apply(_ verb: Character, to arg: TemplateValue, precision: Int?, plus: Bool, sharp: Bool) -> String? {
        func truncated(_ s: String) -> String { precision.map { String(s.prefix($0)) } ?? s }
        switch (verb, arg) {
        case ("v", .number(let n)), ("s", .number(let n)) where verb == "v" || n != n.rounded():
            return verb == "v" ? (plus && n >= 0 ? "+" : "") + n.goString : nil
        case ("v", _), ("s", .string), ("s", .array), ("s", .object), ("s", .null):
            return truncated(arg.goString)
        case ("q", .string(let s)): return TemplateValue.quoted(s, escapeHTML: false)
        case ("t", .bool(let b)): return b ? "true" : "false"
        case ("d", .number(let n)) where n == n.rounded():
            return (plus && n >= 0 ? "+" : "") + String(Int64(n))
        case ("x", .number(let n)) where n == n.rounded(), ("X", .number(let n)) where n == n.rounded():
            let hex = String(Int64(n), radix: 16, uppercase: verb == "X")
            return sharp ? (verb == "X" ? "0X" : "0x") + hex : hex
        case ("o", .number(let n)) where n == n.rounded(): return String(Int64(n), radix: 8)
        case ("b", .number(let n)) where n == n.rounded(): return String(Int64(n), radix: 2)
        case ("c", .number(let n)) where n == n.rounded(): return Unicode.Scalar(UInt32(max(0, n))).map { String(Character($0)) }
        case ("x", .string(let s)), ("X", .string(let s)):
            return s.utf8.map { String(format: verb == "X" ? "%02X" : "%02x", $0) }.joined()
        case ("f", .number(let n)), ("F", .number(let n)):
            return (plus && n >= 0 ? "+" : "") + String(format: "%.\(precision ?? 6)f", n)
        case ("e", .number(let n)), ("E", .number(let n)):
            return (plus && n >= 0 ? "+" : "") + String(format: "%.\(precision ?? 6)\(verb)", n)
        case ("g", .number(let n)), ("G", .number(let n)):
            return (plus && n >= 0 ? "+" : "") + (precision.map { String(format: "%.\($0)\(verb)", n) } ?? n.goString)
        default: return nil
        }
    }
}
