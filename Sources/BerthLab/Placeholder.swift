import Foundation

/// `${root}`, `${lab_dir}`, `${id web}`, `${image_id busybox:latest}`, `${host_port 80}`…: values known only at check time
/// (an ID, a path) written into check texts, solutions and goals. Each expands to what the
/// state says now; a container is named by its name, an image by its reference.
package struct Placeholder: Equatable, Sendable {
    package enum Kind: String, CaseIterable, Sendable {
        case root
        /// The learner's own folder for the files a chapter makes or reads on the host, which
        /// lines typed at the prompt reach as `$LAB` (see `LabSession.labDirectoryVariable`).
        case labDir = "lab_dir"
        case id, shortID = "short_id", hostname, ip, upperDir = "upper_dir"
        case imageID = "image_id", imageShortID = "image_short_id"
        /// `${host_port 80}`: the host port the newest container publishing container port 80
        /// is bound to, so texts show the port the learner chose, not the one the solution uses.
        case hostPort = "host_port"

        var takesArgument: Bool { self != .root && self != .labDir }
    }

    package var kind: Kind
    package var argument: String?

    /// Every placeholder in `text`, in order, with its range. Throws a sentence for the loader
    /// when one is malformed or unknown.
    package static func scan(_ text: String) throws -> [(range: Range<String.Index>, placeholder: Placeholder)] {
        var found: [(Range<String.Index>, Placeholder)] = []
        var rest = text.startIndex
        while let open = text.range(of: "${", range: rest..<text.endIndex) {
            guard let close = text.range(of: "}", range: open.upperBound..<text.endIndex) else {
                throw PlaceholderError("unclosed placeholder \"\(text[open.lowerBound...])\"")
            }
            let body = text[open.upperBound..<close.lowerBound].split(separator: " ", omittingEmptySubsequences: true)
            guard let first = body.first, let kind = Kind(rawValue: String(first)) else {
                let known = Kind.allCases.map(\.rawValue).joined(separator: ", ")
                throw PlaceholderError("unknown placeholder \"${\(body.joined(separator: " "))}\" (known: \(known))")
            }
            if kind.takesArgument != (body.count == 2) || body.count > 2 {
                throw PlaceholderError(
                    kind.takesArgument
                        ? "placeholder \"${\(kind.rawValue)}\" needs one argument, e.g. ${\(kind.rawValue) web}"
                        : "placeholder \"${\(kind.rawValue)}\" takes no argument")
            }
            found.append((open.lowerBound..<close.upperBound, Placeholder(kind: kind, argument: body.count == 2 ? String(body[1]) : nil)))
            rest = close.upperBound
        }
        return found
    }

    /// `text` with each placeholder replaced by `resolve`'s answer, escaped when the text is a
    /// regular expression (a path's dots must match dots).
    package static func expand(_ text: String, forRegex: Bool = false, _ resolve: (Placeholder) throws -> String) throws
        -> String
    {
        let found = try scan(text)
        guard !found.isEmpty else { return text }
        var out = ""
        var cursor = text.startIndex
        for (range, placeholder) in found {
            out += text[cursor..<range.lowerBound]
            let value = try resolve(placeholder)
            out += forRegex ? NSRegularExpression.escapedPattern(for: value) : value
            cursor = range.upperBound
        }
        out += text[cursor...]
        return out
    }

    package var source: String { "${" + kind.rawValue + (argument.map { " " + $0 } ?? "") + "}" }
}

package struct PlaceholderError: Error, Sendable {
    package var message: String
    init(_ message: String) { self.message = message }
}
