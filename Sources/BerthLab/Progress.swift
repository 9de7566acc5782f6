import BerthCore
import Foundation

/// A learner's progress through the chapters, saved after every change so that `berth lab`
/// resumes where it stopped.
package struct Progress: Codable, Sendable, Equatable {
    package var version = 1
    package var language: Language?
    /// The chapter the learner was last in.
    package var currentChapter: String?
    package var chapters: [String: ChapterProgress] = [:]

    package init() {}

    package subscript(chapter: String) -> ChapterProgress {
        get { chapters[chapter] ?? ChapterProgress() }
        set { chapters[chapter] = newValue }
    }

    /// The step shown when a chapter is opened: the saved one, else the first not yet done.
    package func resumeStep(in lesson: Lesson) -> Step? {
        let p = self[lesson.id]
        if let id = p.currentStep, let step = lesson.step(id), !p[id].isDone { return step }
        return lesson.steps.first { !p[$0.id].isDone }
    }

    // Updates the REPL makes, each stamped with the time it happened.

    package mutating func start(_ step: String, in chapter: String, at now: Date = Date()) {
        currentChapter = chapter
        self[chapter].currentStep = step
        if self[chapter].startedAt == nil { self[chapter].startedAt = now }
        if self[chapter][step].startedAt == nil { self[chapter][step].startedAt = now }
    }

    /// A command typed while the step was open and not yet passed.
    package mutating func recordAttempt(_ step: String, in chapter: String) {
        self[chapter][step].attempts += 1
    }

    package mutating func recordHint(_ step: String, in chapter: String) {
        self[chapter][step].hintsUsed += 1
    }

    package mutating func recordSolutionShown(_ step: String, in chapter: String) {
        self[chapter][step].solutionShown = true
    }

    package mutating func markPassed(_ step: String, in chapter: String, at now: Date = Date()) {
        var s = self[chapter][step]
        guard s.passedAt == nil else { return }
        s.passedAt = now
        s.seconds = now.timeIntervalSince(s.startedAt ?? now)
        self[chapter][step] = s
    }

    package mutating func markSkipped(_ step: String, in chapter: String) {
        self[chapter][step].skipped = true
    }

    /// `:reset` forgets a chapter.
    package mutating func reset(_ chapter: String) {
        chapters[chapter] = nil
    }
}

package struct ChapterProgress: Codable, Sendable, Equatable {
    package var currentStep: String?
    package var startedAt: Date?
    package var steps: [String: StepProgress] = [:]

    package init() {}

    package subscript(step: String) -> StepProgress {
        get { steps[step] ?? StepProgress() }
        set { steps[step] = newValue }
    }

    package func isComplete(_ lesson: Lesson) -> Bool { lesson.steps.allSatisfy { self[$0.id].isDone } }
}

package struct StepProgress: Codable, Sendable, Equatable {
    package var attempts = 0
    package var hintsUsed = 0
    package var solutionShown = false
    package var skipped = false
    package var startedAt: Date?
    package var passedAt: Date?
    /// From first opening the step to passing it.
    package var seconds: Double?

    package init() {}

    package var passed: Bool { passedAt != nil }
    package var isDone: Bool { passed || skipped }
}

/// Where progress lives: `$XDG_STATE_HOME/berth/progress.json`, by default
/// `~/.local/state/berth/progress.json`. Writes are atomic, so a crash keeps the old file.
package struct ProgressStore: Sendable {
    package var path: String

    package init(path: String) { self.path = path }

    /// The learner's lab folder beside the progress file (`$LAB`, `${lab_dir}`): host files a
    /// chapter makes or asks for live here, so two learners or two state homes never share them.
    package var labDirectory: String { (path as NSString).deletingLastPathComponent + "/lab" }

    /// The learner's file, from the environment (read once, here).
    package static func forCurrentUser(environment: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        let base: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            let home = environment["HOME"] ?? NSHomeDirectory()
            base = home + "/.local/state"
        }
        return ProgressStore(path: base + "/berth/progress.json")
    }

    /// An empty progress when there is no file yet; a damaged file is an error, never
    /// silently replaced.
    package func load() throws -> Progress {
        guard let data = FileManager.default.contents(atPath: path) else { return Progress() }
        do {
            return try Self.decoder.decode(Progress.self, from: data)
        } catch {
            throw BerthError.progressUnreadable(path, detail: "\(error)")
        }
    }

    package func save(_ progress: Progress) throws {
        try ensureDirectory((path as NSString).deletingLastPathComponent, mode: 0o700)
        try AtomicFile.write(Self.encoder.encode(progress), to: path, mode: 0o600)
    }

    private static var encoder: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }

    private static var decoder: JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }
}
