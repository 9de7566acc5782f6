import BerthCore
import Foundation

/// What running one line produced: its exit status and what it printed (as the terminal
/// showed it, escape sequences removed), for `output_contains` checks.
package struct CommandOutcome: Sendable, Equatable {
    package var status: Int32
    package var output: String
    /// The lab stopped waiting after Ctrl-C (the command ignored it); what it started may still run.
    package var abandoned = false

    package init(status: Int32, output: String = "") {
        self.status = status
        self.output = output
    }
}

/// Runs lines for the session: the REPL's runner hands the terminal over; tests pass a fake.
package protocol LabLineRunner: AnyObject {
    /// Runs `line` (a `docker …` command or a shell line) with `environment` added, showing its
    /// output on the terminal. Never throws: a line that cannot start is a status and a message.
    func run(_ line: String, environment: [String: String]) -> CommandOutcome
    /// Runs `line` with no terminal and its output kept, for chapter and step setup.
    func runQuietly(_ line: String, environment: [String: String]) -> CommandOutcome
}

/// One learner's lab: the chapters, where the learner is, and what happens after each command.
/// The REPL feeds it lines; it prints through `print` and saves progress after every change.
/// Single-threaded by design (the REPL's one loop), so it is a plain class.
package final class LabSession {
    package let library: LessonLibrary
    /// Chapters that failed to load, with the loader's message: shown, never fatal.
    package let brokenChapters: [(folder: String, message: String)]
    package let paths: StatePaths
    package let store: ProgressStore
    package var progress: Progress
    package var language: Language
    package let checker: Checker
    let matcher: MistakeMatcher
    let markers: MarkerSink?
    let runner: LabLineRunner
    let print: (String) -> Void
    package private(set) var lesson: Lesson?
    package private(set) var stepIndex: Int?
    /// The last command's output, for `output_contains` and `:check`.
    package private(set) var lastOutput = ""
    /// The last line the learner ran (or `:solution run` ran), for `command` checks.
    package private(set) var lastLine: String?
    package var workingDirectory = FileManager.default.currentDirectoryPath
    /// Whether a pass should go on to check the following steps (see `runChecks`).
    var chainAfterPass = false
    /// Set by `:quit`.
    package var wantsToQuit = false
    /// The `pids.max` the lab gives every container its commands create (`lab --pids-limit`).
    package var pidsLimit = LabSession.defaultPidsLimit
    package static let defaultPidsLimit: Int64 = 256

    package init(
        library: LessonLibrary, brokenChapters: [(folder: String, message: String)] = [], paths: StatePaths,
        store: ProgressStore, progress: Progress, language: Language, runner: LabLineRunner,
        markers: MarkerSink? = nil, matcher: MistakeMatcher = MistakeMatcher(), checker: Checker? = nil,
        print: @escaping (String) -> Void
    ) {
        self.library = library
        self.brokenChapters = brokenChapters
        self.paths = paths
        self.store = store
        self.progress = progress
        self.language = language
        var checker = checker ?? Checker(paths: paths)
        checker.labDirectory = store.labDirectory
        self.checker = checker
        self.matcher = matcher
        self.runner = runner
        self.markers = markers
        self.print = print
    }

    /// Loads every chapter it can: a broken chapter is reported and left out, so one bad file
    /// never closes the whole lab.
    package static func loadChapters(from root: String) throws -> (LessonLibrary, [(folder: String, message: String)]) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: root) } catch {
            throw BerthError(message: "cannot read the lessons folder \(root)", exitCode: 125)
        }
        var broken: [(String, String)] = []
        var common = CommonLessonData()
        if names.contains(LessonLoader.commonFolder) {
            do { common = try LessonLoader.loadCommon(at: root + "/" + LessonLoader.commonFolder) } catch {
                broken.append((LessonLoader.commonFolder, (error as? BerthError)?.message ?? "\(error)"))
            }
        }
        var lessons: [Lesson] = []
        for name in names.filter(LessonLoader.isChapterFolder).sorted() {
            do { lessons.append(try LessonLoader.loadLesson(at: root + "/" + name, common: common)) } catch {
                broken.append((name, (error as? BerthError)?.message ?? "\(error)"))
            }
        }
        return (LessonLibrary(lessons: lessons), broken)
    }

    // MARK: - Where the learner is

    package var step: Step? {
        guard let lesson, let stepIndex, stepIndex < lesson.steps.count else { return nil }
        return lesson.steps[stepIndex]
    }

    /// `[2/containers 3/9] $ `, `[2/containers done] $ `, or `[lab] $ ` before a chapter.
    package var prompt: String {
        guard let lesson else { return "[lab] $ " }
        let number = Int(lesson.id.prefix { $0.isNumber }).map(String.init) ?? lesson.id
        let name = lesson.id.drop { $0.isNumber || $0 == "-" }
        guard let stepIndex, stepIndex < lesson.steps.count else { return "[\(number)/\(name) done] $ " }
        return "[\(number)/\(name) \(stepIndex + 1)/\(lesson.steps.count)] $ "
    }

    /// The variable that names the learner's lab folder in the lines they type (`$LAB/box1-hostname`).
    package static let labDirectoryVariable = "LAB"

    /// The environment every line the lab runs gets: the chapter's label (so `:reset` finds what
    /// it made), the pids limit, `$LAB`, and `$LESSON_DIR` for setup scripts.
    package var commandEnvironment: [String: String] {
        var env = ["BERTH_PIDS_LIMIT": String(pidsLimit), Self.labDirectoryVariable: store.labDirectory]
        if let lesson {
            env["BERTH_LAB_LABEL"] = lesson.id
            env["LESSON_DIR"] = lesson.directory
        }
        return env
    }

    /// Opens a chapter where the learner left it (or at its first step), running the chapter's
    /// setup the first time. Prints an error and changes nothing when there is no such chapter.
    package func start(_ name: String) {
        guard let found = library.lesson(name) else {
            let broken = LessonLibrary(lessons: brokenChapters.map {
                Lesson(id: $0.folder, directory: "", title: "", intro: nil, setup: [], steps: [], mistakes: [], texts: [:])
            })
            if let bad = broken.lesson(name).flatMap({ b in brokenChapters.first { $0.folder == b.id } }) {
                print(message(.chapterBroken(bad.folder)) + "\n  " + bad.message)
            } else {
                print(message(.noSuchChapter(name, library.lessons.map(\.id))))
            }
            return
        }
        lesson = found
        let firstTime = progress[found.id].startedAt == nil
        recordBaselineIfNeeded(found)
        print(heading(found.text(found.title, language)))
        if firstTime, let intro = found.intro { print(found.text(intro, language)) }
        // Made before the setup, which may put the chapter's files in it.
        do { try ensureDirectory(store.labDirectory, mode: 0o700) } catch {
            print(message(.setupFailed("mkdir \(store.labDirectory)", 1)))
        }
        if firstTime || progress[found.id].currentStep == nil { runSetup(found.setup) }
        if let resume = progress.resumeStep(in: found), let index = found.steps.firstIndex(of: resume) {
            open(index, runSetupAgain: false)
        } else {
            stepIndex = found.steps.count
            progress.currentChapter = found.id
            save()
            print(message(.chapterDone(found.id)))
        }
    }

    /// Shows step `index`, running its setup when the step is new (or `runSetupAgain`).
    func open(_ index: Int, runSetupAgain: Bool) {
        guard let lesson else { return }
        stepIndex = index
        guard index < lesson.steps.count else {
            progress.currentChapter = lesson.id
            save()
            print(message(.chapterDone(lesson.id)))
            return
        }
        let step = lesson.steps[index]
        let isNew = progress[lesson.id][step.id].startedAt == nil
        progress.start(step.id, in: lesson.id)
        save()
        if isNew || runSetupAgain { runSetup(step.setup) }
        markers?.step(chapter: lesson.id, step: step.id, index: index + 1, total: lesson.steps.count)
        showGoal()
    }

    package func showGoal() {
        guard let lesson, let step, let stepIndex else {
            print(lesson == nil ? message(.noChapter) : message(.chapterDone(lesson!.id)))
            return
        }
        print(stepHeading(stepIndex + 1, lesson.steps.count, step.id))
        print(checker.expand(lesson.text(step.goal, language)))
    }

    func runSetup(_ lines: [String]) {
        for line in lines {
            let outcome = tracked { runner.runQuietly(line, environment: commandEnvironment) }
            if outcome.status != 0 {
                print(message(.setupFailed(line, outcome.status)))
                if !outcome.output.isEmpty { print(outcome.output) }
            }
        }
    }

    func save() {
        progress.language = language
        do { try store.save(progress) } catch {
            print(message(.progressNotSaved((error as? BerthError)?.message ?? "\(error)")))
        }
    }

    // MARK: - After a command

    /// Runs a line the learner typed, then checks (`commandFinished`).
    package func run(_ line: String) {
        commandFinished(line, tracked { runner.run(line, environment: commandEnvironment) })
    }

    /// Called after every command line the learner ran: records it, runs the current step's
    /// checks, and answers — a confirmation and the next goal, a targeted hint for a known
    /// mistake, or nothing at all.
    package func commandFinished(_ line: String, _ outcome: CommandOutcome) {
        if outcome.abandoned { print(message(.abandoned)) }
        markers?.command(line: line, exit: outcome.status)
        lastOutput = outcome.output
        lastLine = line
        chainAfterPass = Self.handsOverTerminal(line)
        defer { chainAfterPass = false }
        guard let lesson, let step else { return }
        progress.recordAttempt(step.id, in: lesson.id)
        if runChecks(announceFailure: false) { return }
        save()
        for mistake in matcher.match(line, output: outcome.output, step: step, lesson: lesson) {
            print(hintBox(checker.expand(lesson.text(mistake.hint, language))))
        }
    }

    /// Runs the current step's checks; on success moves on. Returns whether the step passed.
    /// `chained`: the check that follows a pass, for what was already done (a whole session
    /// inside a container can finish several steps); it reports nothing unless it passes.
    @discardableResult
    package func runChecks(announceFailure: Bool, chained: Bool = false) -> Bool {
        guard let lesson, let step, let stepIndex else {
            if announceFailure { showGoal() }
            return false
        }
        let result = checker.evaluate(step, context: CheckContext(
            lastOutput: lastOutput, lastLine: lastLine, chapter: lesson.id, workingDirectory: workingDirectory))
        let p = progress[lesson.id][step.id]
        if result.passed || !chained {
            markers?.check(chapter: lesson.id, step: step.id, passed: result.passed, hints: p.hintsUsed, attempts: p.attempts)
        }
        guard result.passed else {
            if announceFailure, let failure = result.firstFailure { print(message(.notYet(failure.text(language)))) }
            return false
        }
        progress.markPassed(step.id, in: lesson.id)
        print(message(.stepPassed(stepIndex + 1, lesson.steps.count)))
        if let explain = step.explain { print(checker.expand(lesson.text(explain, language))) }
        open(nextOpenStep(after: stepIndex), runSetupAgain: false)
        // A session inside a container (`run -it`, `attach`) can finish several steps at once
        // (chapter 4 installs and starts Apache before detaching): check the next steps on
        // the state alone. After other commands the next step waits for its own command.
        if chainAfterPass {
            lastOutput = ""
            lastLine = nil
            runChecks(announceFailure: false, chained: true)
        }
        return true
    }

    /// The next step not yet done after `index` (wrapping around to skipped-over ones is the
    /// learner's choice, through `:start`), or the step count when none is left.
    func nextOpenStep(after index: Int) -> Int {
        guard let lesson else { return 0 }
        let p = progress[lesson.id]
        return lesson.steps.indices.first { $0 > index && !p[lesson.steps[$0].id].isDone } ?? lesson.steps.count
    }

    /// Whether `line` gives the learner a shell inside a container: `run`/`exec`/`start` with
    /// `-i`/`-t` (alone or in a cluster such as `-dit`), or `attach`.
    package static func handsOverTerminal(_ line: String) -> Bool {
        MistakeMatcher.invocations(in: line).contains { inv in
            if inv.commands.contains("attach") { return true }
            guard !inv.commands.isDisjoint(with: ["run", "exec", "start"]) else { return false }
            return inv.args.contains { a in
                a == "--tty" || a == "--interactive"
                    || (a.hasPrefix("-") && !a.hasPrefix("--") && a.count > 1
                        && a.dropFirst().allSatisfy { "dita".contains($0) } && (a.contains("t") || a.contains("i")))
            }
        }
    }

    // MARK: - Lab commands

    /// The next hint, gentlest first; the last one repeats.
    package func hint() {
        guard let lesson, let step else { return showGoal() }
        let used = progress[lesson.id][step.id].hintsUsed
        guard !step.hints.isEmpty else { return print(message(.noHints)) }
        let key = step.hints[min(used, step.hints.count - 1)]
        progress.recordHint(step.id, in: lesson.id)
        save()
        markers?.labAction("hint", chapter: lesson.id, step: step.id)
        print(hintBox(checker.expand(lesson.text(key, language)), number: min(used + 1, step.hints.count), of: step.hints.count))
    }

    /// Shows the solution; with `run`, runs its commands (lines starting with `#` are notes
    /// for things typed inside a container and are only shown), then checks.
    package func solution(run: Bool) {
        guard let lesson, let step else { return showGoal() }
        progress.recordSolutionShown(step.id, in: lesson.id)
        save()
        markers?.labAction("solution", chapter: lesson.id, step: step.id, run: run)
        let lines = step.solution.map { checker.expand($0) }
        for line in lines { print("  " + line) }
        guard run else { return }
        for line in lines where !line.hasPrefix("#") {
            print(promptEcho(line))
            let outcome = tracked { runner.run(line, environment: commandEnvironment) }
            markers?.command(line: line, exit: outcome.status)
            lastOutput = outcome.output
            lastLine = line
        }
        if !runChecks(announceFailure: true) { save() }
    }

    package func skip() {
        guard let lesson, let step, let stepIndex else { return showGoal() }
        progress.markSkipped(step.id, in: lesson.id)
        markers?.labAction("skip", chapter: lesson.id, step: step.id)
        print(message(.skipped(step.id)))
        open(nextOpenStep(after: stepIndex), runSetupAgain: false)
    }

    /// Removes what the chapter created (containers under its label, images that were not
    /// there when it started) and opens it again from the first step.
    package func reset() {
        guard let lesson else { return print(message(.noChapter)) }
        markers?.labAction("reset", chapter: lesson.id, step: nil)
        let removed = removeChapterLeftovers(lesson)
        print(message(.resetDone(lesson.id, removed.containers, removed.images)))
        progress.reset(lesson.id)
        save()
        start(lesson.id)
    }

    package func setLanguage(_ text: String?) {
        guard let text else { return print(message(.languageIs(language))) }
        guard let l = Language(rawValue: text.lowercased()) else { return print(message(.unknownLanguage(text))) }
        language = l
        save()
        print(message(.languageIs(l)))
    }
}
