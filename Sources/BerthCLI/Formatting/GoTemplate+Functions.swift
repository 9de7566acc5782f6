import Foundation

/// Go's template builtins and the functions Docker's CLI adds (cli/templates/templates.go).
extension GoTemplate {
    struct FunctionError: Error {
        var text: String
    }

    static let functions: Set<String> = [
        "and", "or", "not", "len", "index", "slice", "print", "printf", "println",
        "eq", "ne", "lt", "le", "gt", "ge",
        "json", "split", "join", "title", "lower", "upper", "pad", "truncate",
    ]

    static func call(_ name: String, _ args: [TemplateValue]) throws(FunctionError) -> TemplateValue {
        func want(_ n: Int) throws(FunctionError) {
            if args.count != n { throw FunctionError(text: "wrong number of args for \(name): want \(n) got \(args.count)") }
        }
        func atLeast(_ n: Int) throws(FunctionError) {
            if args.count < n { throw FunctionError(text: "wrong number of args for \(name): want at least \(n) got \(args.count)") }
        }
        func int(_ v: TemplateValue) throws(FunctionError) -> Int {
            guard case .number(let n) = v, n == n.rounded(), abs(n) < 1e18 else {
                throw FunctionError(text: "error calling \(name): cannot index slice/array with type \(v.goType)")
            }
            return Int(n)
        }
        switch name {
        case "and":
            try atLeast(1)
            return args.first { !$0.isTrue } ?? args.last!
        case "or":
            try atLeast(1)
            return args.first { $0.isTrue } ?? args.last!
        case "not":
            try want(1)
            return .bool(!args[0].isTrue)
        case "len":
            try want(1)
            switch args[0] {
            case .string(let s): return .number(Double(s.utf8.count))
            case .array(let a): return .number(Double(a.count))
            case .object(let o) where o.isMap: return .number(Double(o.keys.count))
            case .null(.slice), .null(.map): return .number(0)
            default: throw FunctionError(text: "error calling len: len of type \(args[0].goType)")
            }
        case "index":
            try atLeast(1)
            var item = args[0]
            for key in args.dropFirst() {
                switch item {
                case .object(let o) where o.isMap:
                    item = o.values[key.goString] ?? o.missing ?? .null(.noValue)
                case .null(.map): item = .null(.noValue)
                case .array(let a):
                    let k = try int(key)
                    guard a.indices.contains(k) else { throw FunctionError(text: "error calling index: index out of range: \(k)") }
                    item = a[k]
                case .string(let s):
                    let bytes = Array(s.utf8)
                    let k = try int(key)
                    guard bytes.indices.contains(k) else { throw FunctionError(text: "error calling index: index out of range: \(k)") }
                    item = .number(Double(bytes[k]))
                default: throw FunctionError(text: "error calling index: can't index item of type \(item.goType)")
                }
            }
            return item
        case "slice":
            try atLeast(1)
            guard args.count <= 3 else { throw FunctionError(text: "error calling slice: too many slice indexes: \(args.count - 1)") }
            var bounds: [Int] = []
            for a in args.dropFirst() { bounds.append(try int(a)) }
            switch args[0] {
            case .string(let s):
                let b = Array(s.utf8)
                let (lo, hi) = (bounds.first ?? 0, bounds.count > 1 ? bounds[1] : b.count)
                guard 0 <= lo, lo <= hi, hi <= b.count else { throw FunctionError(text: "error calling slice: index out of range: \(hi)") }
                return .string(String(decoding: b[lo..<hi], as: UTF8.self))
            case .array(let a):
                let (lo, hi) = (bounds.first ?? 0, bounds.count > 1 ? bounds[1] : a.count)
                guard 0 <= lo, lo <= hi, hi <= a.count else { throw FunctionError(text: "error calling slice: index out of range: \(hi)") }
                return .array(Array(a[lo..<hi]))
            default: throw FunctionError(text: "error calling slice: can't slice item of type \(args[0].goType)")
            }
        case "print":
            // Go's Sprint: a space between operands when neither is a string.
            var s = ""
            for (i, a) in args.enumerated() {
                if i > 0, !a.isString, !args[i - 1].isString { s += " " }
                s += a.goString
            }
            return .string(s)
        case "println": return .string(args.map(\.goString).joined(separator: " ") + "\n")
        case "printf":
            try atLeast(1)
            return .string(GoFormat.sprintf(args[0].goString, Array(args.dropFirst())))
        case "eq":
            try atLeast(2)
            for other in args.dropFirst() where try compare(args[0], other, name) == 0 { return .bool(true) }
            return .bool(false)
        case "ne":
            try want(2)
            return .bool(try compare(args[0], args[1], name) != 0)
        case "lt", "le", "gt", "ge":
            try want(2)
            guard let c = try compare(args[0], args[1], name, ordered: true) else { return .bool(false) }
            switch name {
            case "lt": return .bool(c < 0)
            case "le": return .bool(c <= 0)
            case "gt": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case "json":
            try want(1)
            return .string(args[0].json)
        case "split":
            try want(2)
            let (s, sep) = (args[0].goString, args[1].goString)
            // strings.Split with an empty separator splits after each character.
            return .array((sep.isEmpty ? s.map(String.init) : s.components(separatedBy: sep)).map(TemplateValue.string))
        case "join":
            try want(2)
            guard case .array(let a) = args[0] else {
                if case .null = args[0] { return .string("") }
                throw FunctionError(text: "wrong type for value; expected []string; got \(args[0].goType)")
            }
            return .string(a.map(\.goString).joined(separator: args[1].goString))
        case "title":
            try want(1)
            return .string(title(args[0].goString))
        case "lower":
            try want(1)
            return .string(args[0].goString.lowercased())
        case "upper":
            try want(1)
            return .string(args[0].goString.uppercased())
        case "pad":
            try want(3)
            let s = args[0].goString
            // Docker's padWithSpace leaves an empty string empty.
            if s.isEmpty { return .string(s) }
            return .string(String(repeating: " ", count: max(0, try int(args[1]))) + s + String(repeating: " ", count: max(0, try int(args[2]))))
        case "truncate":
            try want(2)
            let s = args[0].goString
            let n = try int(args[1])
            return .string(s.utf8.count < n ? s : String(decoding: s.utf8.prefix(max(0, n)), as: UTF8.self))
        default:
            throw FunctionError(text: "function \"\(name)\" not defined")
        }
    }

    /// Go's eq/lt on basic values: the same kind, or "incompatible types for comparison".
    private static func compare(_ a: TemplateValue, _ b: TemplateValue, _ name: String, ordered: Bool = false) throws(FunctionError) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.string(let x), .string(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.bool(let x), .bool(let y)):
            if ordered { throw FunctionError(text: "error calling \(name): invalid type for comparison") }
            return x == y ? 0 : 1
        case (.null, .null): return 0
        case (.array, _), (.object, _), (_, .array), (_, .object):
            throw FunctionError(text: "error calling \(name): non-comparable type")
        default: throw FunctionError(text: "error calling \(name): incompatible types for comparison")
        }
    }

    /// strings.Title: the first letter of each word in upper case; letters, digits, `_` and `'` are word characters.
    private static func title(_ s: String) -> String {
        var out = ""
        var previousIsSeparator = true
        for ch in s {
            out += previousIsSeparator ? ch.uppercased() : String(ch)
            previousIsSeparator = !(ch.isLetter || ch.isNumber || ch == "_" || ch == "'")
        }
        return out
    }
}

extension TemplateValue {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
