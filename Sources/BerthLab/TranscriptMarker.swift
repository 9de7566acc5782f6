import Foundation

/// One message from the REPL to the recorder, a JSON object per line on the pipe named by
/// `BERTH_LAB_MARKERS_FD` (Documentation/Lab.md, Documentation/Transcripts.md):
///
///     {"kind":"step","chapter":"02-containers","step":"ps-all","index":2,"total":16}
///     {"kind":"check","chapter":"02-containers","step":"ps-all","passed":true,"hints":1,"attempts":2}
///     {"kind":"command","line":"docker ps -a","exit":0}
///
/// `index` counts from 1. A `command` without `exit` announces a command about to run; the one
/// with `exit` says it finished. Unknown keys are ignored and unknown kinds are kept as they are.
package struct MarkerPayload: Codable, Sendable, Equatable {
    package var kind: String
    package var chapter: String?
    package var step: String?
    package var index: Int?
    package var total: Int?
    package var passed: Bool?
    package var hints: Int?
    package var attempts: Int?
    package var line: String?
    package var exit: Int32?
    package var skipped: Bool?
    /// On a `solution` marker: the solution was run, not only shown.
    package var run: Bool?

    package init(
        kind: String, chapter: String? = nil, step: String? = nil, index: Int? = nil, total: Int? = nil,
        passed: Bool? = nil, hints: Int? = nil, attempts: Int? = nil, line: String? = nil, exit: Int32? = nil,
        skipped: Bool? = nil, run: Bool? = nil
    ) {
        self.run = run
        self.kind = kind
        self.chapter = chapter
        self.step = step
        self.index = index
        self.total = total
        self.passed = passed
        self.hints = hints
        self.attempts = attempts
        self.line = line
        self.exit = exit
        self.skipped = skipped
    }

    /// The `chapter/index` part of a label: `02-containers`, 3 → `2/containers/3`.
    var stepLabel: String {
        let chapter = chapter ?? "?"
        let number = chapter.prefix { $0.isNumber }
        let name = chapter.dropFirst(number.count).drop { $0 == "-" }
        let head = Int(number).map { "\($0)/\(name)" } ?? chapter
        return head + "/" + (index.map(String.init) ?? step ?? "?")
    }

    /// What a person reads in a player's marker list.
    package var label: String {
        switch kind {
        case "step": return "step \(stepLabel) start"
        case "check":
            let result = skipped == true ? "skipped" : passed == true ? "passed" : "failed"
            return "step \(stepLabel) \(result)"
        case "command":
            guard let line else { return "command" }
            guard let exit else { return "$ " + line }
            return "$ " + line + (exit == 0 ? "" : " (exit \(exit))")
        case "solution": return "solution \(stepLabel)" + (run == true ? " run" : "")
        case "skip", "hint": return "\(kind) \(stepLabel)"
        case "reset": return "reset \(chapter ?? "?")"
        default: return kind
        }
    }

    /// The marker's data: the label, a newline, then this payload as one line of JSON.
    package var markerText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return label + "\n" + json
    }

    /// The payload inside a marker's data, or nil for a marker Berth did not structure.
    package static func parse(marker text: String) -> MarkerPayload? {
        guard let nl = text.firstIndex(of: "\n") else { return nil }
        return parse(json: text[text.index(after: nl)...])
    }

    /// One line from the REPL's pipe.
    package static func parse(json: Substring) -> MarkerPayload? {
        try? JSONDecoder().decode(MarkerPayload.self, from: Data(json.utf8))
    }
}
