import ArgumentParser
import BerthCore
import BerthLab
import Foundation

/// How `berth lab` records: on by default, to `$XDG_STATE_HOME/berth/transcripts/`.
struct LabRecordingOptions: ParsableArguments {
    @Option(name: .customLong("record"), help: "Write the session's transcript to FILE (default: $XDG_STATE_HOME/berth/transcripts/<date>-<chapter>-<learner>.cast)")
    var recordFile: String?
    @Flag(name: .customLong("no-record"), help: "Do not record this session")
    var noRecord = false
    @Option(name: .customLong("redact"), help: "Replace text matching REGEX with [REDACTED] in the transcript (repeatable)")
    var redact: [String] = []
    @Flag(name: .customLong("no-mask-secrets"), help: "Record what is typed at password prompts (masked by default)")
    var noMaskSecrets = false
    @Option(help: "Learner name written into the transcript (default $USER)")
    var learner: String?

    func learnerName(_ env: [String: String] = ProcessInfo.processInfo.environment) -> String {
        learner ?? env["USER"] ?? env["LOGNAME"] ?? "learner"
    }

    /// Whether this process should record: not asked not to, and not already inside a recording.
    var shouldRecord: Bool {
        !noRecord && ProcessInfo.processInfo.environment[Recorder.recordingEnv] == nil
    }

    /// Runs `argv` under the recorder and returns its exit status.
    func record(
        _ argv: [String], chapter: Lesson?, chapterName: String? = nil, language: Language, title: String? = nil,
        source: String? = nil
    ) throws -> Int32 {
        let env = ProcessInfo.processInfo.environment
        let learner = learnerName(env)
        let chapterID = chapter?.id ?? chapterName
        // A transcript is evidence: never written over.
        if let recordFile, FileManager.default.fileExists(atPath: recordFile) {
            throw BerthError(message: "Error: \(recordFile) already exists: choose another --record FILE or remove it", exitCode: 1)
        }
        let path = recordFile ?? TranscriptPaths.defaultFile(chapter: chapterID, learner: learner, environment: env)
        let size = Recorder.terminalSize(Console.current)
        let info = TranscriptInfo(
            version: VersionCommand.version, chapter: chapterID,
            lessonChecksum: chapter.flatMap { LessonChecksum.compute(directory: $0.directory) }, learner: learner,
            language: language.rawValue, source: source)
        let header = AsciicastHeader(
            width: size.cols, height: size.rows, timestamp: Int(Date().timeIntervalSince1970),
            title: title ?? "Berth lab" + (chapterID.map { ": \($0)" } ?? "") + " (\(learner))",
            env: ["SHELL": env["SHELL"] ?? "/bin/sh", "TERM": env["TERM"] ?? "xterm"], berth: info)
        let recorder = Recorder(
            argv: argv, environment: env, header: header, path: path,
            redactor: try TranscriptRedactor(patterns: redact, masksSecretInput: !noMaskSecrets))
        let status = try recorder.run()
        Console.current.err("transcript: \(path)")
        return status
    }
}

/// `berth lab record -- CMD…`: records any command the way `berth lab` records the REPL.
struct LabRecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Record a command's terminal session as an asciicast v2 transcript")
    @OptionGroup var recording: LabRecordingOptions
    @OptionGroup var lab: LabArguments
    @Option(help: "Chapter the session is about, for the transcript's header") var chapter: String?
    @Argument(parsing: .postTerminator, help: "The command to run (default: the lab)") var command: [String] = []

    func run() throws {
        let lesson = chapter.flatMap { try? lab.library().lesson($0) }
        let argv = command.isEmpty ? [Self.ownExecutable, "lab", "open"] + (chapter.map { [$0] } ?? []) : command
        let code = try recording.record(
            argv, chapter: lesson, chapterName: chapter, language: try lab.language() ?? .en, source: command.isEmpty ? nil : "record")
        if code != 0 { throw ExitCode(code) }
    }

    static var ownExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// `berth lab play FILE`: plays a transcript in the terminal with its timing.
struct LabPlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "play", abstract: "Play a transcript in the terminal")
    @Option(help: "Playback speed (2 = twice as fast)") var speed: Double = 1
    @Option(name: .customLong("idle-limit"), help: "Longest pause in seconds") var idleLimit: Double?
    @Argument(help: "The .cast file") var file: String

    func validate() throws {
        guard speed > 0 else { throw ValidationError("--speed must be greater than 0") }
        if let idleLimit, idleLimit < 0 { throw ValidationError("--idle-limit must not be negative") }
    }

    func run() throws {
        let reader = try openTranscript(file)
        _ = try transcriptCall { try TranscriptPlayer(speed: speed, idleLimit: idleLimit).play(reader) }
    }
}

/// `berth lab export FILE --md|--html|--text`.
struct LabExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a transcript as a readable log (Markdown, HTML or text)")
    @OptionGroup var lab: LabArguments
    @Flag(help: "Markdown (the default)") var md = false
    @Flag(help: "HTML") var html = false
    @Flag(help: "Plain text") var text = false
    @Option(name: .shortAndLong, help: "Write to FILE instead of standard output") var output: String?
    @Argument(help: "The .cast file") var file: String

    func validate() throws {
        if [md, html, text].filter({ $0 }).count > 1 { throw ValidationError("choose one of --md, --html and --text") }
    }

    func run() throws {
        let format: TranscriptExporter.Format = html ? .html : text ? .text : .markdown
        let reader = try openTranscript(file)
        let lesson = reader.header.berth?.chapter.flatMap { try? lab.library().lesson($0) }
        let console = Console.current
        var fd = console.outFD
        if let output {
            fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw BerthError(message: "cannot write \(output): \(String(cString: strerror(errno)))", exitCode: 1) }
        }
        defer { if output != nil { close(fd) } }
        try transcriptCall {
            try TranscriptExporter(format: format, lesson: lesson).export(reader) { piece in
                var bytes = Array(piece.utf8)
                writeAll(fd, &bytes)
            }
        }
    }
}

/// `berth lab replay FILE`: re-runs the commands on a fresh state root and re-checks each step.
struct LabReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Re-run a transcript's commands on a fresh state and re-verify every step")
    @OptionGroup var lab: LabArguments
    @Option(help: "State root to replay into; must be empty or absent (default: a fresh temporary one)") var root: String?
    @Argument(help: "The .cast file") var file: String

    func run() throws {
        let reader = try openTranscript(file)
        let report = try ReplayRun.replay(reader, library: try lab.library(), root: root) { Console.current.out($0) }
        for note in report.notes { Console.current.err("note: " + note) }
        let recorded = report.checks.filter(\.recordedPassed)
        let reproduced = recorded.filter(\.reproduced)
        Console.current.out(
            "replay: \(reproduced.count)/\(recorded.count) recorded passes reproduced, \(report.commands) commands, \(Int(report.seconds)) s"
                + (report.reproduced ? "" : " — NOT reproduced"))
        if recorded.isEmpty { Console.current.err("note: the transcript records no passed check") }
        if !report.reproduced { throw ExitCode(1) }
    }
}

/// `berth lab grade DIR`: one row per transcript.
struct LabGradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grade", abstract: "Grade a directory of transcripts (CSV or JSON)")
    @OptionGroup var lab: LabArguments
    @Flag(help: "CSV (the default)") var csv = false
    @Flag(help: "JSON") var json = false
    @Flag(help: "Also replay each transcript and report whether it reproduces (slow)") var replay = false
    @Argument(help: "Directory of .cast files (subfolders too, one per student say)") var directory: String

    func validate() throws {
        if csv && json { throw ValidationError("choose one of --csv and --json") }
    }

    func run() throws {
        let console = Console.current
        let (files, skipped) = try transcriptCall { try Grader.transcripts(in: directory) }
        for s in skipped { console.err(s) }
        let library = try? lab.library()
        var counts: [String: Int] = [:]
        var checksums: [String: String] = [:]
        for l in library?.lessons ?? [] {
            counts[l.id] = l.steps.count
            checksums[l.id] = LessonChecksum.compute(directory: l.directory)
        }
        let grader = Grader(stepCounts: counts, lessonChecksums: checksums)
        var rows: [GradeRow] = []
        for file in files {
            var row = grader.grade(file)
            row.file = String(file.dropFirst(directory.count + 1))  // `ana/01-basics.cast` under a student's folder
            if let problem = row.problem { console.err("\(file): \(problem)") }
            if replay, row.problem == nil, let library {
                do {
                    let reader = try AsciicastReader(path: file)
                    let report = try ReplayRun.replay(reader, library: library, root: nil) { _ in }
                    row.replayReproduced = report.reproduced
                    row.replayFailure = report.firstFailure
                } catch let stop as ExitCode {
                    throw stop  // interrupted: stop grading too
                } catch {
                    row.replayReproduced = false
                    row.replayFailure = "\(error)"
                }
                if let why = row.replayFailure { console.err("\(file): replay did not reproduce: \(why)") }
            }
            rows.append(row)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            console.out(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            console.out(GradeRow.csvHeader)
            for row in rows { console.out(row.csv) }
        }
    }
}

/// A replay on its own state root, cleaned up afterwards when it was a temporary one.
enum ReplayRun {
    static func replay(
        _ reader: AsciicastReader, library: LessonLibrary, root: String?, log: @escaping (String) -> Void
    ) throws -> TranscriptReplay.Report {
        let base: String
        let paths: StatePaths
        if let root {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            guard entries.isEmpty else {
                throw BerthError(message: "replay needs a fresh state root: \(root) is not empty", exitCode: 1)
            }
            base = ""
            // Short, so the attach socket under the run dir fits in sun_path (108 bytes).
            paths = StatePaths(root: root, run: "/tmp/br-run-" + UUID().uuidString.prefix(8).lowercased())
        } else {
            base = "/tmp/br-" + UUID().uuidString.prefix(8).lowercased()
            paths = StatePaths(root: base + "/root", run: base + "/run")
        }
        try ensureDirectory(paths.root)
        try ensureDirectory(paths.run)
        // Held while the replay runs: a sweeper of /tmp leftovers (the test suite) skips it.
        let owner = try FileLock(path: (base.isEmpty ? paths.run : base) + "/.owner")
        let berth = LabRecordCommand.ownExecutable
        // SIGINT, SIGTERM or SIGHUP stops the replay at its next step and runs the cleanup
        // below; the handlers stay until it is done, so a second Ctrl-C cannot cut it short.
        let signals = SignalPipe([SIGINT, SIGTERM, SIGHUP], unblock: true)
        defer { signals.stop() }
        var caught: Int32?
        defer {
            // Containers the replay left running and its bridge: removed, so nothing outlives it.
            let ids = (try? FileManager.default.contentsOfDirectory(atPath: paths.containers)) ?? []
            var env = ProcessInfo.processInfo.environment
            env["BERTH_ROOT"] = paths.root
            env["BERTH_RUN"] = paths.run
            let environment = env.map { "\($0.key)=\($0.value)" }
            if !ids.isEmpty { _ = try? Subprocess.run(berth, ["rm", "-f"] + ids, environment: environment) }
            _ = try? Subprocess.run(berth, ["network", "_destroy"], environment: environment)
            withExtendedLifetime(owner) {}
            if !base.isEmpty { try? FileManager.default.removeItem(atPath: base) }
            if root != nil { try? FileManager.default.removeItem(atPath: paths.run) }
        }
        var replay = TranscriptReplay(library: library, paths: paths, berth: berth, log: log)
        replay.interrupted = {
            if caught == nil { caught = signals.pending() }
            return caught
        }
        do {
            return try transcriptCall { try replay.run(reader) }
        } catch let stop as TranscriptReplay.Interrupted {
            // Docker's CLI exits 128 + the signal: 130 for Ctrl-C, 143 for SIGTERM.
            Console.current.err("replay interrupted: containers, network and state removed")
            throw ExitCode(128 + stop.signal)
        }
    }
}

/// Opens a transcript, turning a format problem into a clear error (exit 1).
func openTranscript(_ path: String) throws -> AsciicastReader {
    try transcriptCall { try AsciicastReader(path: path) }
}

func transcriptCall<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as TranscriptError {
        throw BerthError(message: e.description, exitCode: 1)
    }
}

extension LabRecordingOptions {
    /// `berth lab [open]` under the recorder: the same command line again, as the child.
    func recordLab(chapter: String?, lab: LabArguments) throws -> Int32 {
        let lesson = chapter.flatMap { try? lab.library().lesson($0) }
        let language = try lab.language() ?? (try? ProgressStore.forCurrentUser().load().language) ?? .en
        let argv = [LabRecordCommand.ownExecutable] + CommandLine.arguments.dropFirst()
        return try record(argv, chapter: lesson, chapterName: chapter, language: language)
    }
}
