import Foundation

/// A value a Go template can walk: what `inspect` and `ps --format` expose.
indirect enum TemplateValue: Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([TemplateValue])
    case object([String: TemplateValue], order: [String])
    case null
    /// A JSON null that Docker's typed struct holds as a nil slice (`[]`) or pointer (`<nil>`):
    /// Go prints those, not `<no value>`.
    case goNil(String)

    /// From any Encodable, through JSON, so the keys are exactly Docker's.
    init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = TemplateValue(json: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    init(json: Any) {
        switch json {
        case let s as String: self = .string(s)
        case let n as NSNumber:
            // Foundation marks a JSON boolean with the Objective-C type code "c".
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) } else { self = .number(n.doubleValue) }
        case let a as [Any]: self = .array(a.map(TemplateValue.init(json:)))
        case let d as [String: Any]:
            self = .object(d.mapValues(TemplateValue.init(json:)), order: d.keys.sorted())
        default: self = .null
        }
    }

    static func fields(_ pairs: KeyValuePairs<String, String>) -> TemplateValue {
        var d: [String: TemplateValue] = [:]
        for (k, v) in pairs { d[k] = .string(v) }
        return .object(d, order: pairs.map(\.0))
    }

    /// Replaces the nulls at `paths` (`HostConfig.CapAdd`) with what Go prints for them.
    func typingNils(_ paths: [String: String]) -> TemplateValue {
        guard case .object(var d, let order) = self else { return self }
        for (path, text) in paths {
            let keys = path.split(separator: ".", maxSplits: 1).map(String.init)
            guard let child = d[keys[0]] else { continue }
            if keys.count == 2 {
                d[keys[0]] = child.typingNils([keys[1]: text])
            } else if child == .null {
                d[keys[0]] = .goNil(text)
            }
        }
        return .object(d, order: order)
    }

    subscript(key: String) -> TemplateValue? {
        if case .object(let d, _) = self { return d[key] }
        return nil
    }

    /// How Go's text/template prints a value with `{{.X}}`.
    var goString: String {
        switch self {
        case .string(let s): return s
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return b ? "true" : "false"
        case .array(let a): return "[" + a.map(\.goString).joined(separator: " ") + "]"
        case .object(let d, let order): return "map[" + order.map { "\($0):\(d[$0]!.goString)" }.joined(separator: " ") + "]"
        case .null: return "<no value>"
        case .goNil(let text): return text
        }
    }

    /// `{{json .X}}`.
    var json: String {
        switch self {
        case .string(let s):
            let data = try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])
            return data.map { String(decoding: $0.dropFirst().dropLast(), as: UTF8.self) } ?? "\"\""
        case .number, .bool: return goString
        case .null, .goNil: return "null"
        case .array(let a): return "[" + a.map(\.json).joined(separator: ",") + "]"
        case .object(let d, let order):
            return "{" + order.map { TemplateValue.string($0).json + ":" + d[$0]!.json }.joined(separator: ",") + "}"
        }
    }
}
