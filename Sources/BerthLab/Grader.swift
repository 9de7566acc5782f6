import BerthCore
import Foundation

/// One transcript's grade: a row of `berth lab grade`.
package struct GradeRow: Codable, Sendable, Equatable {
    package var file: String
    package var learner: String?
    package var chapter: String?
    /// Steps passed by the learner's own commands.
    package var stepsPassed = 0
    package var stepsTotal = 0
    /// Steps passed after `:solution run`, and steps skipped with `:skip` (not passed).
    package var stepsBySolution = 0
    package var stepsSkipped = 0
    package var hintsUsed = 0
    /// Seconds between the first and last event, each pause counted as at most `idleCap`.
    package var timeOnTask: Double = 0
    package var firstTryPasses = 0
    /// nil unless `--replay`: whether every recorded pass reproduced.
    package var replayReproduced: Bool?
    /// `intact`, `unclosed`, `edited (…)`, `unsealed (…)`: what the hash chain says.
    package var integrity = "no chain"
    /// With `--replay`, when it did not reproduce: the first step that failed, and why.
    package var replayFailure: String?
    /// Set when the file was edited by hand or is damaged: such a row is reported, not trusted.
    package var flags: [String] = []
    /// Why the file could not be read to the end (the row holds what came before).
    package var problem: String?

    enum CodingKeys: String, CodingKey {
        case file, learner, chapter, integrity, flags, problem
        case stepsPassed = "steps_passed", stepsTotal = "steps_total", hintsUsed = "hints_used"
        case timeOnTask = "time_on_task_s", firstTryPasses = "first_try_passes", replayReproduced = "replay_reproduced"
        case stepsBySolution = "steps_by_solution", stepsSkipped = "steps_skipped", replayFailure = "replay_failure"
    }

    package init(file: String) { self.file = file }

    package static let csvHeader =
        "file,learner,chapter,steps_passed,steps_total,hints_used,time_on_task_s,first_try_passes,replay_reproduced,integrity,flags,problem,steps_by_solution,steps_skipped,replay_failure"

    package var csv: String {
        let replay = replayReproduced.map { $0 ? "yes" : "no" } ?? ""
        return [
            file, learner ?? "", chapter ?? "", String(stepsPassed), String(stepsTotal), String(hintsUsed),
            String(Int(timeOnTask.rounded())), String(firstTryPasses), replay, integrity, flags.joined(separator: ";"), problem ?? "",
            String(stepsBySolution), String(stepsSkipped), replayFailure ?? "",
        ].map(Self.csvField).joined(separator: ",")
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// `berth lab grade DIR`: one row per transcript, read as a stream.
package struct Grader {
    /// A pause longer than this counts as this long: a learner who went for lunch was not working.
    package static let idleCap: Double = 120
    /// Chapter id → number of steps, for transcripts whose markers do not say.
    package var stepCounts: [String: Int] = [:]
    /// Chapter id → its lesson's checksum now: a transcript recorded against another version
    /// of the lesson is flagged `lesson-changed` (its steps may not be today's).
    package var lessonChecksums: [String: String] = [:]

    package init(stepCounts: [String: Int] = [:], lessonChecksums: [String: String] = [:]) {
        self.stepCounts = stepCounts
        self.lessonChecksums = lessonChecksums
    }

    /// The transcripts under `directory` and its subfolders at any depth (one per student,
    /// say): files ending `.cast`, sorted by their path below `directory`, and a message for
    /// each other file, which is skipped. Hidden entries are left out.
    package static func transcripts(in directory: String) throws -> (files: [String], skipped: [String]) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw BerthError(message: "Error: \(directory): no such file or directory", exitCode: 1)
        }
        guard isDir.boolValue else {
            throw BerthError(message: "Error: \(directory) is not a directory: lab grade takes a directory of .cast files", exitCode: 1)
        }
        guard let walk = FileManager.default.enumerator(atPath: directory) else {
            throw BerthError(message: "Error: \(directory): permission denied", exitCode: 1)
        }
        var files: [String] = []
        var skipped: [String] = []
        while let relative = walk.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            let type = walk.fileAttributes?[.type] as? FileAttributeType
            if name.hasPrefix(".") {
                if type == .typeDirectory { walk.skipDescendants() }
                continue
            }
            guard type != .typeDirectory else { continue }
            if name.hasSuffix(".cast") {
                files.append(relative)
            } else {
                skipped.append("\(directory)/\(relative): skipped: not a .cast transcript")
            }
        }
        return (files.sorted().map { directory + "/" + $0 }, skipped.sorted())
    }

    /// Grades one file. Never throws: a file that cannot be read to the end gets a row with
    /// `problem` set and what could be read before it.
    package func grade(_ path: String) -> GradeRow {
        var row = GradeRow(file: (path as NSString).lastPathComponent)
        let reader: AsciicastReader
        do { reader = try AsciicastReader(path: path) } catch {
            row.problem = error.message
            row.flags.append("unreadable")
            return row
        }
        row.learner = reader.header.berth?.learner
        row.chapter = reader.header.berth?.chapter
        if let chapter = row.chapter, let recorded = reader.header.berth?.lessonChecksum, let now = lessonChecksums[chapter], now != recorded {
            row.flags.append("lesson-changed")
        }
        var steps: [String: StepTally] = [:]
        var order: [String] = []
        var total = 0
        var lastTime: Double?
        var scanner = TranscriptScanner(keepsInput: false)
        do {
            while let event = try reader.next() {
                if let t = lastTime { row.timeOnTask += min(Self.idleCap, max(0, event.time - t)) }
                lastTime = event.time
                guard let item = scanner.feed(event) else { continue }
                switch item {
                case .step(let p, _):
                    if row.chapter == nil { row.chapter = p.chapter }
                    total = max(total, p.total ?? 0)
                    if let id = p.step, steps[id] == nil {
                        steps[id] = StepTally()
                        order.append(id)
                    }
                case .check(let p, _):
                    guard let id = p.step else { continue }
                    if steps[id] == nil { order.append(id) }
                    var s = steps[id] ?? StepTally()
                    s.hints = max(s.hints, p.hints ?? 0)
                    if p.passed == true, !s.passed {
                        s.passed = true
                        s.bySolution = s.solutionRun
                        s.firstTry = !s.solutionRun && s.checks == 0 && (p.attempts ?? 1) <= 1
                    }
                    s.checks += 1
                    steps[id] = s
                case .labAction(let p, _):
                    if p.kind == "reset" {
                        for id in steps.keys { steps[id] = StepTally() }
                        continue
                    }
                    guard let id = p.step else { continue }
                    if steps[id] == nil { order.append(id) }
                    var s = steps[id] ?? StepTally()
                    if p.kind == "solution" && p.run == true { s.solutionRun = true }
                    if p.kind == "skip" && !s.passed { s.skipped = true }
                    steps[id] = s
                case .command: break
                }
            }
        } catch {
            row.problem = error.message + (error.line.map { " (line \($0))" } ?? "")
            row.flags.append(error.kind == .truncated ? "truncated" : "damaged")
        }
        row.integrity = reader.chainStatus.description
        switch reader.chainStatus {
        case .edited: row.flags.append("edited")
        case .none:
            row.integrity = "unsealed (no hash chain: edits cannot be detected)"
            row.flags += ["no-chain", "edited-suspect"]
        case .unclosed: if row.problem == nil { row.flags.append("unclosed") }
        case .intact: break
        }
        if reader.header.berth?.source == "record" {
            // `berth lab record -- CMD`: any program could have written the check markers.
            row.flags.append("not-lab-session")
        }
        row.stepsPassed = steps.values.filter { $0.passed && !$0.bySolution }.count
        row.stepsBySolution = steps.values.filter(\.bySolution).count
        row.stepsSkipped = steps.values.filter { $0.skipped && !$0.passed }.count
        row.stepsTotal = max(total, row.chapter.flatMap { stepCounts[$0] } ?? 0, order.count)
        row.hintsUsed = steps.values.reduce(0) { $0 + $1.hints }
        row.firstTryPasses = steps.values.filter(\.firstTry).count
        row.timeOnTask = (row.timeOnTask * 10).rounded() / 10
        return row
    }

    struct StepTally {
        var passed = false
        var firstTry = false
        var hints = 0
        var checks = 0
        var solutionRun = false
        var bySolution = false
        var skipped = false
    }
}
