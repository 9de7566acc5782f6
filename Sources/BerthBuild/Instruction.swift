import Foundation

/// One logical Dockerfile line: continuations joined, comments dropped, flags split off.
package struct Instruction: Equatable, Sendable {
    /// Upper case: `RUN`.
    package var keyword: String
    /// The line the instruction starts on (1-based), as Docker's parse errors count.
    package var line: Int
    /// The logical line as Docker prints it after `Step N/M :`, continuations joined.
    package var original: String
    /// `--chown=1:1`, `--from=x`: Docker's builder flags, before the arguments.
    package var flags: [String]
    /// Everything after the keyword and flags, trimmed.
    package var arguments: String
    /// The exec (JSON array) form, when the arguments are one.
    package var json: [String]?

    package init(keyword: String, line: Int, original: String, flags: [String] = [], arguments: String, json: [String]? = nil) {
        self.keyword = keyword
        self.line = line
        self.original = original
        self.flags = flags
        self.arguments = arguments
        self.json = json
    }

    /// The value of `--name=value`, nil when the flag is absent.
    package func flag(_ name: String) -> String? {
        for f in flags where f.hasPrefix("--\(name)=") { return String(f.dropFirst(name.count + 3)) }
        return nil
    }
}
