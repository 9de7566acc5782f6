import BerthCore
import BerthRuntime
import Foundation

/// `berth lab replay`: the learner's commands again, in order, on a fresh state root — shell
/// and docker lines through `/bin/sh -c` with `docker` on PATH, `-it` sessions fed the input
/// that was typed into them — the chapter's and steps' setup where the lab ran it, and the
/// step's checks at every recorded check, compared with what was recorded.
package struct TranscriptReplay {
    /// One recorded check, and what the same check says now.
    package struct CheckOutcome: Sendable, Equatable {
        package var chapter: String
        package var step: String
        package var index: Int?
        package var recordedPassed: Bool
        package var replayPassed: Bool
        /// Why the replayed check failed, when it did.
        package var failure: String?

        /// A recorded pass must pass again; a recorded failure may now pass.
        package var reproduced: Bool { !recordedPassed || replayPassed }

        /// `step 2/containers/3 run-it`.
        package var label: String {
            "step " + MarkerPayload(kind: "check", chapter: chapter, step: step, index: index).stepLabel + " " + step
        }
    }

    package struct Report: Sendable {
        package var checks: [CheckOutcome] = []
        package var commands = 0
        package var notes: [String] = []
        package var seconds: Double = 0

        package var reproduced: Bool { checks.allSatisfy(\.reproduced) }
        /// The first recorded pass that did not pass again, and why: `step 2/containers/3 run-it: …`.
        package var firstFailure: String? {
            checks.first { !$0.reproduced }.map { $0.label + ": " + ($0.failure ?? "checks fail") }
        }
        /// Per step: the last recorded pass (or last check) of each step, in order.
        package var steps: [CheckOutcome] {
            var order: [String] = []
            var byStep: [String: CheckOutcome] = [:]
            for c in checks {
                let key = c.chapter + "/" + c.step
                if byStep[key] == nil { order.append(key) }
                if byStep[key]?.recordedPassed == true && byStep[key]?.reproduced == false { continue }
                byStep[key] = c
            }
            return order.compactMap { byStep[$0] }
        }
    }

    package var library: LessonLibrary
    package var paths: StatePaths
    /// The `berth` executable that `docker` on PATH points at.
    package var berth: String
    package var baseEnvironment: [String: String]
    /// Progress lines (`step 2/containers/3 run-it: passed, reproduced`).
    package var log: (String) -> Void
    /// How long a recorded pass may take to show up again (a server starting, a container exiting).
    package var settle: Double = 10
    /// The signal that asks the replay to stop, once one came: `run` then throws `Interrupted`.
    package var interrupted: () -> Int32? = { nil }

    /// The replay was stopped by `signal` before its end.
    package struct Interrupted: Error {
        package var signal: Int32
    }

    package init(
        library: LessonLibrary, paths: StatePaths, berth: String,
        baseEnvironment: [String: String] = ProcessInfo.processInfo.environment, log: @escaping (String) -> Void
    ) {
        self.library = library
        self.paths = paths
        self.berth = berth
        self.baseEnvironment = baseEnvironment
        self.log = log
    }

    package func run(_ reader: AsciicastReader) throws -> Report {
        let clock = ContinuousClock()
        let began = clock.now
        var report = Report()
        let bin = try LabBinDirectory.ensure(berth: berth, run: paths.run)
        var env = baseEnvironment
        env["PATH"] = bin + ":" + (env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        env["BERTH_ROOT"] = paths.root
        env["BERTH_RUN"] = paths.run
        // The replay's own lab folder, with its run dir: `$LAB` and `${lab_dir}` as the learner had them.
        let labDirectory = paths.run + "/lab"
        try ensureDirectory(labDirectory, mode: 0o700)
        env[LabSession.labDirectoryVariable] = labDirectory
        env["BERTH_LAB_MARKERS_FD"] = nil
        env["BERTH_LAB_RECORDING"] = nil
        env["TERM"] = env["TERM"] ?? "xterm"

        if let b = reader.header.berth, let chapter = b.chapter, let lesson = library.lesson(chapter),
            let recorded = b.lessonChecksum, let now = LessonChecksum.compute(directory: lesson.directory), now != recorded
        {
            report.notes.append("the lesson \(chapter) changed since this transcript was recorded")
        }
        var terminal = ReplayTerminal(environment: env)
        terminal.interrupted = interrupted
        func stopIfInterrupted() throws {
            if let s = interrupted() { throw Interrupted(signal: s) }
        }
        let headerSize = TerminalSize(cols: reader.header.width, rows: reader.header.height)
        terminal.size = ReplayTerminal.clamped(headerSize)
        let checker = Checker(paths: paths, labDirectory: labDirectory)
        var startedChapters: Set<String> = []
        var openedSteps: Set<String> = []
        var lesson: Lesson?
        var lastOutput = ""
        var lastLine: String?
        var scanner = TranscriptScanner(size: headerSize)

        func labEnvironment(_ lesson: Lesson?) -> [String: String] {
            var e = env
            e["BERTH_PIDS_LIMIT"] = String(LabSession.defaultPidsLimit)
            if let lesson {
                e["BERTH_LAB_LABEL"] = lesson.id
                e["LESSON_DIR"] = lesson.directory
            }
            return e
        }
        func setup(_ lines: [String], _ what: String) {
            var t = terminal
            t.environment = labEnvironment(lesson)
            for line in lines {
                let out = t.run(line, input: [])
                if out.status != 0 { report.notes.append("\(what) setup `\(line)` exited \(out.status)") }
            }
        }

        while let event = try reader.next() {
            guard let item = scanner.feed(event) else { continue }
            try stopIfInterrupted()
            switch item {
            case .step(let p, _):
                guard let chapter = p.chapter, let found = library.lesson(chapter) else {
                    report.notes.append("no chapter \(p.chapter ?? "?") in the lessons: its checks cannot be replayed")
                    lesson = nil
                    continue
                }
                lesson = found
                if startedChapters.insert(found.id).inserted { setup(found.setup, found.id) }
                if let id = p.step, openedSteps.insert(found.id + "/" + id).inserted, let step = found.step(id) {
                    setup(step.setup, "step \(id)")
                }
                try stopIfInterrupted()
            case .command(let c):
                let line = c.line.trimmingCharacters(in: .whitespaces)
                guard !line.isEmpty, !line.hasPrefix(":"), !line.hasPrefix("#") else { continue }
                if var target = REPL.cdTarget(line, home: env["HOME"]) {
                    // The lab's own `cd`: later lines run there, as they did for the learner.
                    target = Self.expanding(target, in: labEnvironment(lesson))
                    let base = terminal.directory ?? FileManager.default.currentDirectoryPath
                    let path = target.hasPrefix("/") ? target : base + "/" + target
                    var isDir: ObjCBool = false
                    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                        terminal.directory = (path as NSString).standardizingPath
                    } else if c.exit == 0 {
                        report.notes.append("`\(line)`: no such directory here")
                    }
                    continue
                }
                var t = terminal
                t.environment = labEnvironment(lesson)
                t.timeout = max(60, 3 * (c.ended - c.started))
                if let size = c.size { t.size = ReplayTerminal.clamped(size) }
                let out = t.run(line, input: c.input)
                try stopIfInterrupted()
                terminal.size = out.size
                report.commands += 1
                lastOutput = TranscriptText.strip(out.output)
                lastLine = line
                if out.timedOut { report.notes.append("`\(line)` did not finish and was stopped") }
                if let recorded = c.exit, recorded != out.status {
                    report.notes.append("`\(line)` exited \(out.status), recorded \(recorded)")
                }
            case .labAction(let p, _):
                // Its commands, if it ran any, are command markers of their own.
                if p.kind == "reset" { report.notes.append("the learner reset \(p.chapter ?? "the chapter"): not replayed") }
            case .check(let p, _):
                guard let chapter = p.chapter, let stepID = p.step else { continue }
                guard let lesson = library.lesson(chapter), let step = lesson.step(stepID) else {
                    report.notes.append("no step \(chapter)/\(stepID) in the lessons")
                    report.checks.append(
                        CheckOutcome(chapter: chapter, step: stepID, recordedPassed: p.passed == true, replayPassed: false, failure: "no such step"))
                    continue
                }
                let recorded = p.passed == true
                let context = CheckContext(lastOutput: lastOutput, lastLine: lastLine, chapter: chapter)
                var result = checker.evaluate(step, context: context)
                // A recorded pass may need a moment (a server coming up); wait for it, boundedly.
                if recorded && !result.passed {
                    let deadline = Date().addingTimeInterval(settle)
                    while !result.passed && Date() < deadline {
                        try stopIfInterrupted()
                        usleep(200_000)
                        result = checker.evaluate(step, context: context)
                    }
                }
                let index = lesson.steps.firstIndex { $0.id == stepID }.map { $0 + 1 }
                let outcome = CheckOutcome(
                    chapter: chapter, step: stepID, index: index, recordedPassed: recorded, replayPassed: result.passed,
                    failure: result.firstFailure.map { $0.text(.en) })
                report.checks.append(outcome)
                let verdict =
                    recorded
                    ? (result.passed ? "passed, reproduced" : "recorded pass NOT reproduced: \(outcome.failure ?? "checks fail")")
                    : (result.passed ? "recorded not yet, passes now" : "not yet, as recorded")
                log("\(outcome.label): \(verdict)")
            }
        }
        report.seconds = Double((clock.now - began).components.seconds)
        return report
    }
}

extension TranscriptReplay {
    /// `$LAB/tomcat`, `${LAB}`, `~/x` in a recorded `cd`, as the learner's shell expanded them.
    static func expanding(_ path: String, in env: [String: String]) -> String {
        var out = path.hasPrefix("~") ? (env["HOME"] ?? "/") + path.dropFirst() : path
        for (name, value) in env.sorted(by: { $0.key.count > $1.key.count }) {
            out = out.replacingOccurrences(of: "${\(name)}", with: value).replacingOccurrences(of: "$" + name, with: value)
        }
        return out
    }
}
