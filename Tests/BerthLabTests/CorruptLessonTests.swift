import BerthCore
import Foundation
import Testing

@testable import BerthLab

/// Broken copies of a small valid lesson: each must fail to load with a message that names
/// the file, the step and the field.
@Suite("Corrupt lessons")
struct CorruptLessonTests {
    static let yaml = """
        title: title
        intro: intro
        steps:
          - id: first
            goal: first.goal
            checks:
              - image_present: busybox
            hints: [first.hint1, first.hint2]
            solution: ["docker pull busybox"]
          - id: second
            goal: second.goal
            checks:
              - container: {name: web, state: running}
            hints: [second.hint1, second.hint2]
            solution: ["docker run -d --name web busybox sleep 60"]
            mistakes:
              - when: {argv_has: "-name"}
                hint: second.mistake
        """

    static func texts(_ language: String) -> String {
        let keys = ["title", "intro", "first.goal", "first.hint1", "first.hint2", "second.goal", "second.hint1", "second.hint2",
                    "second.mistake"]
        return "# test lesson\n\n" + keys.map { "## \($0)\n\($0) in \(language)\n" }.joined(separator: "\n")
    }

    /// Writes the lesson with `edit` applied to one of its files and loads it.
    func load(file: String = "lesson.yaml", _ edit: (String) -> String) throws -> (dir: String, error: BerthError?) {
        try withTemporaryDirectory { dir in
            let lessonDir = dir + "/01-test"
            try FileManager.default.createDirectory(atPath: lessonDir, withIntermediateDirectories: true)
            let files = ["lesson.yaml": Self.yaml, "ko.md": Self.texts("ko"), "en.md": Self.texts("en")]
            for (name, text) in files {
                try (name == file ? edit(text) : text).write(toFile: lessonDir + "/" + name, atomically: true, encoding: .utf8)
            }
            do {
                _ = try LessonLoader.loadLesson(at: lessonDir)
                return (lessonDir, nil)
            } catch let error as BerthError {
                return (lessonDir, error)
            }
        }
    }

    @Test("the unbroken lesson loads")
    func validLessonLoads() throws {
        let (_, error) = try load { $0 }
        #expect(error == nil)
    }

    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var file = "lesson.yaml"
        var from: String
        var to: String
        var expected: [String]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "YAML syntax error", from: "- container: {name: web, state: running}",
             to: "- container: {name: web, state: running", expected: ["lesson.yaml:14", "step \"second\"", "YAML syntax error", "field \"container\""]),
        Case(name: "unknown field in a step", from: "    hints: [second.hint1", to: "    hint: x\n    hints: [second.hint1",
             expected: ["step \"second\"", "unknown field \"hint\""]),
        Case(name: "four hints", from: "hints: [first.hint1, first.hint2]", to: "hints: [first.hint1, first.hint2, first.hint1, first.hint2]",
             expected: ["step \"first\"", "field \"hints\"", "at most 3 hints"]),
        Case(name: "no intro", from: "intro: intro\n", to: "", expected: ["field \"intro\"", "is missing"]),
        Case(name: "intro text in one language only", file: "ko.md", from: "## intro\nintro in ko\n", to: "",
             expected: ["01-test/ko.md", "field \"intro\"", "no text for key \"intro\""]),
        Case(name: "unknown subcommand in a command check", from: "- image_present: busybox", to: "- command: [pull, pul]",
             expected: ["step \"first\"", "field \"checks[0].command\"", "\"pul\" is not a docker subcommand"]),
        Case(name: "final that is not a boolean", from: "  - id: second\n", to: "  - id: second\n    final: later\n",
             expected: ["step \"second\"", "field \"final\""]),
        Case(name: "unknown check kind", from: "- image_present: busybox", to: "- image_presnt: busybox",
             expected: ["lesson.yaml:7", "step \"first\"", "field \"checks[0]\"", "unknown check kind \"image_presnt\""]),
        Case(name: "unknown field in a check", from: "state: running}", to: "stat: running}",
             expected: ["step \"second\"", "field \"checks[0].container.stat\"", "unknown field"]),
        Case(name: "duplicate step id", from: "- id: second", to: "- id: first",
             expected: ["lesson.yaml:10", "step \"first\"", "field \"id\"", "used twice"]),
        Case(name: "missing text key", file: "ko.md", from: "## second.hint2\nsecond.hint2 in ko\n", to: "",
             expected: ["01-test/ko.md", "step \"second\"", "field \"hints[1]\"", "second.hint2"]),
        Case(name: "missing mistake hint", file: "en.md", from: "## second.mistake\n", to: "## second.mistakes\n",
             expected: ["01-test/en.md", "step \"second\"", "field \"mistakes[0].hint\"", "second.mistake"]),
        Case(name: "one hint only", from: "hints: [first.hint1, first.hint2]", to: "hints: [first.hint1]",
             expected: ["step \"first\"", "field \"hints\"", "at least 2 hints"]),
        Case(name: "empty solution", from: "solution: [\"docker pull busybox\"]", to: "solution: []",
             expected: ["step \"first\"", "field \"solution\""]),
        Case(name: "unknown state", from: "state: running}", to: "state: runing}",
             expected: ["step \"second\"", "field \"checks[0].container.state\"", "unknown state \"runing\""]),
        Case(name: "bad regex in a mistake", from: "{argv_has: \"-name\"}", to: "{argv_regex: \"([\"}",
             expected: ["step \"second\"", "field \"mistakes[0].when.argv_regex\"", "invalid regular expression"]),
        Case(name: "unknown placeholder", from: "- image_present: busybox", to: "- output_contains: \"${rooot}\"",
             expected: ["step \"first\"", "field \"checks[0].output_contains\"", "unknown placeholder"]),
        Case(name: "malformed image reference", from: "- image_present: busybox", to: "- image_present: Busybox",
             expected: ["step \"first\"", "field \"checks[0].image_present\"", "invalid reference format"]),
        Case(name: "volume name with a slash", from: "- image_present: busybox", to: "- volume: ../data",
             expected: ["step \"first\"", "field \"checks[0].volume\"", "is not a volume name"]),
        Case(name: "file in a volume and a container at once", from: "- image_present: busybox",
             to: "- file: {volume: data, container: web, path: /x}",
             expected: ["step \"first\"", "field \"checks[0].file\"", "give one of container, image or volume"]),
        Case(name: "key twice in a text file", file: "en.md", from: "## first.hint2\n", to: "## first.hint1\n",
             expected: ["01-test/en.md:", "field \"first.hint1\"", "appears twice"]),
    ]

    @Test("a broken lesson names file, step and field", arguments: cases)
    func brokenLessonIsReported(_ c: Case) throws {
        let (dir, error) = try load(file: c.file) { text in
            #expect(text.contains(c.from), "the case does not apply")
            return text.replacingOccurrences(of: c.from, with: c.to)
        }
        let message = try #require(error?.message, "loaded without error")
        #expect(message.contains(dir) || message.contains("01-test"), "\(message)")
        for fragment in c.expected { #expect(message.contains(fragment), "\"\(fragment)\" not in: \(message)") }
        #expect(error?.exitCode == 125)
    }
}
