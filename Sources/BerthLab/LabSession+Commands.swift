import BerthCore
import Foundation

extension LabSession {
    /// The lab commands, for `:help` and completion.
    package static let labCommands = [
        ":lessons", ":start", ":step", ":hint", ":solution", ":check", ":skip", ":reset", ":status", ":lang",
        ":help", ":quit",
    ]

    /// Runs one `:command` line. Unknown commands get a pointer to `:help`.
    package func runLabCommand(_ line: String) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let command = words.first else { return }
        let argument = words.count > 1 ? words[1] : nil
        switch command {
        case ":lessons", ":list": print(lessonsTable())
        case ":start":
            guard let argument else { return print(lessonsTable()) }
            start(argument)
        case ":step", ":goal": showGoal()
        case ":hint": hint()
        case ":solution": solution(run: argument == "run")
        case ":check": runChecks(announceFailure: true)
        case ":skip": skip()
        case ":reset": reset()
        case ":status": print(Self.statusTable(library: library, progress: progress, language: language))
        case ":lang": setLanguage(argument)
        case ":help", ":?": print(helpText)
        case ":quit", ":q", ":exit": wantsToQuit = true
        default: print(message(.unknownCommand(command)))
        }
    }

    func lessonsTable() -> String {
        var rows = library.lessons.map { lesson -> String in
            let p = progress[lesson.id]
            let done = lesson.steps.filter { p[$0.id].isDone }.count
            let mark = lesson.id == self.lesson?.id ? "▶" : " "
            return "\(mark) \(lesson.id.padding(toLength: 15, withPad: " ", startingAt: 0)) "
                + "\(done)/\(lesson.steps.count)".padding(toLength: 7, withPad: " ", startingAt: 0)
                + lesson.text(lesson.title, language)
        }
        for bad in brokenChapters { rows.append("  \(bad.folder.padding(toLength: 15, withPad: " ", startingAt: 0)) ✗ \(bad.message)") }
        return rows.joined(separator: "\n")
    }

    /// `berth lab status` and `:status`: each chapter with done/total and where the learner is.
    package static func statusTable(library: LessonLibrary, progress: Progress, language: Language) -> String {
        var lines = ["CHAPTER          DONE    HINTS   ATTEMPTS   STEP"]
        for lesson in library.lessons {
            let p = progress[lesson.id]
            let done = lesson.steps.filter { p[$0.id].isDone }.count
            let hints = lesson.steps.reduce(0) { $0 + p[$1.id].hintsUsed }
            let attempts = lesson.steps.reduce(0) { $0 + p[$1.id].attempts }
            let where_: String
            if p.isComplete(lesson) { where_ = "done" } else if p.startedAt == nil { where_ = "-" } else {
                where_ = progress.resumeStep(in: lesson)?.id ?? "-"
            }
            lines.append(
                lesson.id.padding(toLength: 17, withPad: " ", startingAt: 0)
                    + "\(done)/\(lesson.steps.count)".padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(hints).padding(toLength: 8, withPad: " ", startingAt: 0)
                    + String(attempts).padding(toLength: 11, withPad: " ", startingAt: 0) + where_)
        }
        return lines.joined(separator: "\n")
    }
}

/// `berth lab check CH`: what a teacher would look at after the chapter — each step's checks on
/// the state as it is now, without running anything.
package struct ChapterVerification: Sendable, Codable {
    package struct StepOutcome: Sendable, Codable {
        package var index: Int
        package var id: String
        /// "passed", "failed", "needs-output" (only the command's output or the command itself
        /// proves the step) or "undone" (a later step undoes it: `final: false`).
        package var result: String
        package var reason: String?
    }

    package var chapter: String
    package var passed: Bool
    package var steps: [StepOutcome]

    /// Steps marked `final: false` and checks about the last command (`Check.stateOnly`) are
    /// not judged; neither fails the chapter.
    package static func run(_ lesson: Lesson, checker: Checker, language: Language, context: CheckContext = CheckContext())
        -> Self
    {
        var steps: [StepOutcome] = []
        for (i, step) in lesson.steps.enumerated() {
            let checks = step.checks.compactMap(\.stateOnly)
            guard step.final, !checks.isEmpty else {
                steps.append(.init(index: i + 1, id: step.id, result: step.final ? "needs-output" : "undone", reason: nil))
                continue
            }
            let r = checker.evaluate(checks, context: context)
            steps.append(.init(index: i + 1, id: step.id, result: r.passed ? "passed" : "failed",
                               reason: r.firstFailure?.text(language)))
        }
        return .init(chapter: lesson.id, passed: !steps.contains { $0.result == "failed" }, steps: steps)
    }

    package var table: String {
        let width = max(20, steps.map { "\($0.index). \($0.id)".count }.max() ?? 0) + 1
        var lines = ["STEP".padding(toLength: width, withPad: " ", startingAt: 0) + "RESULT        WHY"]
        for s in steps {
            lines.append("\(s.index). \(s.id)".padding(toLength: width, withPad: " ", startingAt: 0)
                         + s.result.padding(toLength: 14, withPad: " ", startingAt: 0) + (s.reason ?? ""))
        }
        lines.append(passed ? "\(chapter): every step that should hold at the end holds" : "\(chapter): some steps do not hold")
        return lines.joined(separator: "\n")
    }
}
