import Foundation
import Testing

@testable import BerthLab

/// The checked-in lessons, held to the authoring rules.
@Suite("Lesson linter")
struct LessonLintTests {
    static let library: LessonLibrary? = try? LessonLoader.loadLibrary(from: lessonsRoot)
    static let chapters = ["01-images", "02-containers", "03-binding", "04-apache", "05-storage", "06-dockerfile"]

    @Test("every chapter loads")
    func everyChapterLoads() throws {
        let library = try LessonLoader.loadLibrary(from: lessonsRoot)
        #expect(library.lessons.map(\.id) == Self.chapters)
    }

    @Test("every step has ko and en goal text, 2+ hints and a solution", arguments: chapters)
    func stepsAreComplete(chapter: String) throws {
        let lesson = try #require(Self.library?.lesson(chapter))
        for step in lesson.steps {
            for language in Language.allCases {
                let goal = try #require(lesson.texts[language]?[step.goal], "\(step.id): no \(language) goal")
                #expect(!goal.isEmpty)
                for hint in step.hints { #expect(lesson.texts[language]?[hint] != nil, "\(step.id): \(hint)") }
                if let explain = step.explain { #expect(lesson.texts[language]?[explain] != nil) }
            }
            #expect(step.hints.count >= 2, "\(step.id) has \(step.hints.count) hints")
            #expect(!step.solution.isEmpty && step.solution.allSatisfy { !$0.isEmpty }, "\(step.id)")
            #expect(!step.checks.isEmpty, "\(step.id)")
        }
    }

    @Test("every check kind is known", arguments: chapters)
    func checkKindsAreKnown(chapter: String) throws {
        let lesson = try #require(Self.library?.lesson(chapter))
        for step in lesson.steps {
            for check in flatten(step.checks) { #expect(Check.kinds.contains(check.kind), "\(step.id): \(check.kind)") }
        }
    }

    @Test("every mistake's hint has a text in both languages", arguments: chapters)
    func mistakeHintsExist(chapter: String) throws {
        let lesson = try #require(Self.library?.lesson(chapter))
        let all = lesson.mistakes + lesson.steps.flatMap(\.mistakes)
        #expect(!all.isEmpty)
        for mistake in all {
            for language in Language.allCases { #expect(lesson.texts[language]?[mistake.hint] != nil, "\(mistake.hint)") }
        }
    }

    @Test("step ids are unique within a chapter", arguments: chapters)
    func stepIDsAreUnique(chapter: String) throws {
        let lesson = try #require(Self.library?.lesson(chapter))
        #expect(Set(lesson.steps.map(\.id)).count == lesson.steps.count)
    }

    /// Steps whose concept is reading a command's output. Every other step must check state.
    static let readingSteps: Set<String> = [
        "01-images/list-images", "01-images/inspect", "01-images/history", "02-containers/ps-all",
        "02-containers/inspect-id", "02-containers/ps-format", "03-binding/inspect-ip", "05-storage/info",
        "05-storage/state-root", "05-storage/disk-usage", "05-storage/find-upper", "06-dockerfile/history",
        "06-dockerfile/logs",
    ]

    @Test("output_contains is the exception: only reading steps check nothing but output")
    func outputChecksAreTheException() throws {
        let library = try #require(Self.library)
        for lesson in library.lessons {
            for step in lesson.steps {
                let outputOnly = flatten(step.checks).allSatisfy { check in
                    switch check {
                    case .outputContains, .command, .anyOf: true
                    default: false
                    }
                }
                #expect(outputOnly == Self.readingSteps.contains("\(lesson.id)/\(step.id)"), "\(lesson.id)/\(step.id)")
            }
        }
    }

    @Test("the source notes' typos each have a mistake entry")
    func notesTyposAreCovered() throws {
        let lesson = try #require(Self.library?.lesson("02-containers"))
        let matcher = MistakeMatcher(hostAddresses: { ["10.0.2.15"] })
        for line in [
            "docker run -i -t -p 3306:3306 -name web busybox",
            "docker exec -it --name box1 /bin/sh",
            #"docker ps --format "table {{.ID}}\t{{.Status}}\t{{.Images}}""#,
            "docker run -i -t -p 3306:3306 -p 192.168.0.100:7777:80 debian:12",
            "docker rm 'docker ps -a -q'",
            "docker run -i -t ubuntu:14.04",
        ] {
            #expect(!matcher.match(line, against: lesson.mistakes).isEmpty, "\(line)")
        }
    }

    /// Facts carry over from the Korean notes, sentences do not. Skipped when the notes are
    /// not beside the repository.
    @Test("no sentence of the source notes is copied into a lesson")
    func noCopiedSentences() throws {
        var url = URL(fileURLWithPath: lessonsRoot)
        url.deleteLastPathComponent()
        let seeds = url.deletingLastPathComponent().appendingPathComponent("shared/seeds").path
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: seeds), !files.isEmpty else { return }
        let noteLines = try files.flatMap { try String(contentsOfFile: seeds + "/" + $0, encoding: .utf8).split(separator: "\n") }
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " -*>`#\t")) }
            .filter { $0.count >= 25 && $0.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) } }
        #expect(noteLines.count > 50)
        let library = try #require(Self.library)
        let ours = library.lessons.flatMap { $0.texts[.ko]?.values.map { $0 } ?? [] }.joined(separator: "\n")
        for line in noteLines { #expect(!ours.contains(line), "copied: \(line)") }
    }
}
