import BerthCore
import Foundation
import Yams

/// Walks a composed YAML tree with errors that name the file, the line, the step and the
/// field, which Codable's errors cannot do. Unknown keys are errors: a misspelt option would
/// otherwise be ignored and a check would silently accept more than it should.
struct YAMLReader {
    let file: String
    var step: String?

    func problem(_ field: String, _ node: Node?, _ text: String) -> BerthError {
        .lessonInvalid(file: file, line: node?.mark?.line, step: step, field: field, problem: text)
    }

    /// A mapping's entries by key; duplicate or unknown keys are errors.
    func mapping(_ node: Node, _ field: String, allowed: Set<String>) throws -> [String: Node] {
        guard case .mapping(let m) = node else {
            throw problem(field, node, "expected a mapping (key: value), got \(describe(node))")
        }
        var out: [String: Node] = [:]
        for (k, v) in m {
            guard let key = k.scalar?.string else { throw problem(field, k, "keys must be plain words") }
            let sub = field.isEmpty ? key : field + "." + key
            if out[key] != nil { throw problem(sub, k, "\"\(key)\" is given twice") }
            if !allowed.contains(key) {
                throw problem(sub, k, "unknown field \"\(key)\" (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            out[key] = v
        }
        return out
    }

    func sequence(_ node: Node, _ field: String) throws -> [Node] {
        guard case .sequence(let s) = node else {
            throw problem(field, node, "expected a list, got \(describe(node))")
        }
        return Array(s)
    }

    /// A non-empty scalar, as written (so `12` stays the string "12").
    func string(_ node: Node, _ field: String) throws -> String {
        guard let s = node.scalar?.string else { throw problem(field, node, "expected text, got \(describe(node))") }
        if s.trimmingCharacters(in: .whitespaces).isEmpty { throw problem(field, node, "must not be empty") }
        return s
    }

    /// A list of texts; a single text is read as a list of one.
    func strings(_ node: Node, _ field: String) throws -> [String] {
        if node.scalar != nil { return [try string(node, field)] }
        return try sequence(node, field).enumerated().map { try string($1, "\(field)[\($0)]") }
    }

    func int(_ node: Node, _ field: String) throws -> Int {
        guard let s = node.scalar?.string, let n = Int(s) else {
            throw problem(field, node, "expected a whole number, got \(describe(node))")
        }
        return n
    }

    func bool(_ node: Node, _ field: String) throws -> Bool {
        switch node.scalar?.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw problem(field, node, "expected true or false, got \(describe(node))")
        }
    }

    /// Checks that a text's placeholders are well formed.
    func placeholders(_ text: String, _ field: String, _ node: Node?) throws {
        do { _ = try Placeholder.scan(text) } catch let e as PlaceholderError { throw problem(field, node, e.message) }
    }

    /// Compiles a regular expression now, so a bad one fails at load and not in front of a learner.
    func regex(_ pattern: String, _ field: String, _ node: Node?) throws {
        try placeholders(pattern, field, node)
        let probe = (try? Placeholder.expand(pattern, forRegex: true) { _ in "x" }) ?? pattern
        do { _ = try NSRegularExpression(pattern: probe) } catch {
            throw problem(field, node, "invalid regular expression \"\(pattern)\"")
        }
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): "\"\(s.string)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        @unknown default: "something else"
        }
    }
}
