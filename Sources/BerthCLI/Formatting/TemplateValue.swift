import Foundation

/// A value a Go template can walk: what `inspect` and `ps --format` expose.
indirect enum TemplateValue: Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([TemplateValue])
    case object(TemplateObject)
    /// Go's nil, which prints as the type it stands in for.
    case null(GoNil)

    /// From any Encodable, in its encoding order, with nil fields kept (see `TemplateEncoder`).
    init<T: Encodable>(encoding value: T) throws {
        self = try TemplateEncoder.encode(value)
    }

    /// From `JSONSerialization` output: objects are maps, as Docker's raw inspect fallback sees them.
    init(json: Any) {
        switch json {
        case let s as String: self = .string(s)
        case let n as NSNumber:
            // Foundation marks a JSON boolean with the Objective-C type code "c".
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) } else { self = .number(n.doubleValue) }
        case let a as [Any]: self = .array(a.map(TemplateValue.init(json:)))
        case let d as [String: Any]: self = .object(.map(d.mapValues(TemplateValue.init(json:))))
        default: self = .null(.noValue)
        }
    }

    /// A formatter context (`ps`, `images`): string fields, an error naming Docker's Go type for unknown
    /// ones, and `{{json .}}` with sorted keys as Docker marshals it.
    static func fields(_ pairs: KeyValuePairs<String, String>, type: String = "*formatter.Context") -> TemplateValue {
        var d: [String: TemplateValue] = [:]
        for (k, v) in pairs { d[k] = .string(v) }
        return .object(TemplateObject(keys: d.keys.sorted(), values: d, typeName: type))
    }

    subscript(key: String) -> TemplateValue? {
        if case .object(let o) = self { return o.values[key] }
        return nil
    }

    /// How Go's fmt prints the value: `{{.X}}`, `print`, `%v`.
    var goString: String {
        switch self {
        case .string(let s): return s
        case .number(let n): return n.goString
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(\.goString).joined(separator: " ") + "]"
        case .object(let o):
            if o.isMap { return "map[" + o.keys.map { "\($0):\(o.values[$0]!.goString)" }.joined(separator: " ") + "]" }
            return "{" + o.keys.map { o.values[$0]!.goString }.joined(separator: " ") + "}"
        case .null(let kind): return kind.rawValue
        }
    }

    /// Go's truth for `if`, `with`, `and`, `or`, `not`: zero values and empty collections are false.
    var isTrue: Bool {
        switch self {
        case .string(let s): return !s.isEmpty
        case .number(let n): return n != 0
        case .bool(let b): return b
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isMap || !o.keys.isEmpty
        case .null: return false
        }
    }
}

/// What a Go nil is a nil of, and so how `{{.X}}` prints it.
enum GoNil: String, Equatable {
    case slice = "[]"
    case map = "map[]"
    case pointer = "<nil>"
    /// A key an `interface{}` map lacks.
    case noValue = "<no value>"
}

/// A Go struct or map: struct fields keep their declared order, map keys are sorted, as Go prints both.
struct TemplateObject: Equatable {
    var keys: [String]
    var values: [String: TemplateValue]
    /// nil `omitempty` fields: templates see them, JSON leaves them out.
    var omitted: Set<String> = []
    /// The Go type named by "can't evaluate field X in type T"; nil for inspect data, which Docker
    /// re-reads as a JSON map when a field is missing ("map has no entry for key").
    var typeName: String? = nil
    var isMap = false
    /// What a typed map returns for a missing key (`""` for `map[string]string`); nil for a JSON map.
    var missing: TemplateValue? = nil

    static func map(_ values: [String: TemplateValue], missing: TemplateValue? = nil) -> TemplateObject {
        TemplateObject(keys: values.keys.sorted(), values: values, isMap: true, missing: missing)
    }
}

extension Double {
    /// Go's `%v` of a number: integers without a fraction, others in shortest form.
    var goString: String {
        self == rounded() && abs(self) < 1e18 ? String(Int64(self)) : String(self)
    }
}
