/// Parses a lesson text file: each `## key` heading starts the text for `key`, which runs
/// to the next such heading. Lines before the first heading are a comment for authors.
/// `##` inside a fenced code block does not start a text.
package enum TextCatalog {
    package struct Problem: Error, Sendable {
        package var line: Int
        package var key: String
        package var message: String
    }

    package static func parse(_ markdown: String) throws(Problem) -> [String: String] {
        var texts: [String: String] = [:]
        var key: String?
        var keyLine = 0
        var body: [Substring] = []
        var inFence = false

        func finish() throws(Problem) {
            guard let k = key else { return }
            let text = body.drop { $0.allSatisfy(\.isWhitespace) }.reversed().drop { $0.allSatisfy(\.isWhitespace) }
                .reversed().joined(separator: "\n")
            if text.isEmpty { throw Problem(line: keyLine, key: k, message: "the text for \"\(k)\" is empty") }
            texts[k] = text
        }

        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("```") { inFence.toggle() }
            if !inFence, line.hasPrefix("## ") {
                try finish()
                let k = line.dropFirst(3).trimmedSpaces()
                if k.isEmpty || k.contains(" ") {
                    throw Problem(line: index + 1, key: k, message: "a heading must be one key without spaces, got \"## \(k)\"")
                }
                if texts[k] != nil { throw Problem(line: index + 1, key: k, message: "the key \"\(k)\" appears twice") }
                key = k
                keyLine = index + 1
                body = []
            } else if key != nil {
                body.append(line)
            }
        }
        try finish()
        return texts
    }
}

extension Substring {
    fileprivate func trimmedSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
