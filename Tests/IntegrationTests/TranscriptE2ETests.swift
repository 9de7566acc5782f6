import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// One lab session recorded under tmux, shared by the tests below: a two-step chapter of its own
/// (an `-it` busybox session, then `docker ps -a`), recorded once complete and once half done.
final class RecordedLab: Sendable {
    let scratch: ScratchDirectory
    var base: String { scratch.path }
    let lessons: String
    let complete: String
    let half: String
    let env: [String: String]
    let problem: String?

    static let shared = RecordedLab()

    init() {
        // Lives as long as the test process; a later run sweeps it.
        scratch = try! ScratchDirectory(prefix: "bcast-")
        let base = scratch.path
        lessons = base + "/lessons"
        complete = base + "/class/complete.cast"
        half = base + "/class/half.cast"
        var env = ProcessInfo.processInfo.environment
        env["BERTH_ROOT"] = base + "/root"
        env["BERTH_RUN"] = base + "/run"
        env["BERTH_LESSONS"] = lessons
        env["TERM"] = "xterm-256color"
        self.env = env
        var problem: String?
        do { try Self.record(base: base, lessons: lessons, complete: complete, half: half, env: env) } catch {
            problem = "\(error)"
        }
        self.problem = problem
    }

    static func record(base: String, lessons: String, complete: String, half: String, env: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: base + "/class", withIntermediateDirectories: true)
        try writeMiniLesson(lessons)
        let berth = BerthProcess.binary
        let seeded = try BerthProcess.runProcess(berth, ["seed", "busybox"], environment: env)
        guard seeded.status == 0 else { throw BerthError(message: "seed: \(seeded.stderr)") }
        defer { ScratchDirectory.destroyStateRoot(StatePaths(root: base + "/root", run: base + "/run")) }
        let vars = env.filter { ["BERTH_ROOT", "BERTH_RUN", "BERTH_LESSONS", "TERM", "PATH", "HOME"].contains($0.key) }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")

        // The whole chapter.
        let tmux = try Tmux(
            "env \(vars) XDG_STATE_HOME=\(base)/state1 \(berth) lab open 1 --lang en --learner ana --record \(complete)",
            environment: env, width: 100, height: 30)
        defer { tmux.kill() }
        guard tmux.waitFor("[1/mini 1/2] $", timeout: 30) else { throw BerthError(message: "no lab prompt:\n\(tmux.screen())") }
        try tmux.line("docker run -i -t busybox")
        guard tmux.waitFor("/ #") else { throw BerthError(message: "no busybox prompt:\n\(tmux.screen())") }
        try tmux.line("echo inside-\"$((6*7))\"")
        guard tmux.waitFor("inside-42") else { throw BerthError(message: "no echo:\n\(tmux.screen())") }
        try tmux.line("exit")
        guard tmux.waitFor("[1/mini 2/2] $") else { throw BerthError(message: "step 1 did not pass:\n\(tmux.screen())") }
        try tmux.line("docker ps -a")
        guard tmux.waitFor("[1/mini done] $") else { throw BerthError(message: "step 2 did not pass:\n\(tmux.screen())") }
        try tmux.line(":quit")
        guard tmux.waitFor("[exited 0]") else {
            throw BerthError(message: "the lab did not exit:\n\(tmux.screen())")
        }

        // Half of it: step 1, then quit.
        let tmux2 = try Tmux(
            "env \(vars) XDG_STATE_HOME=\(base)/state2 \(berth) lab open 1 --lang en --learner ben --record \(half)",
            environment: env, width: 100, height: 30)
        defer { tmux2.kill() }
        guard tmux2.waitFor("[1/mini 1/2] $") else { throw BerthError(message: "no lab prompt:\n\(tmux2.screen())") }
        try tmux2.line("docker run -i -t busybox")
        guard tmux2.waitFor("/ #") else { throw BerthError(message: "no busybox prompt:\n\(tmux2.screen())") }
        try tmux2.line("exit")
        guard tmux2.waitFor("[1/mini 2/2] $") else { throw BerthError(message: "step 1 did not pass:\n\(tmux2.screen())") }
        try tmux2.line(":quit")
        guard tmux2.waitFor("[exited 0]") else {
            throw BerthError(message: "the lab did not exit:\n\(tmux2.screen())")
        }
    }

    static func writeMiniLesson(_ root: String) throws {
        let dir = root + "/01-mini"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
            title: title
            intro: intro
            steps:
              - id: run-it
                goal: run-it.goal
                checks:
                  - container: {ancestor: busybox, tty: true, interactive: true, state: exited}
                hints: [run-it.hint1, run-it.hint2]
                solution: ["docker run -i -t busybox"]
              - id: ps-all
                goal: ps-all.goal
                checks:
                  - output_contains: {regex: 'Exited \\(\\d+\\)'}
                hints: [ps-all.hint1, ps-all.hint2]
                solution: ["docker ps -a"]

            """.write(toFile: dir + "/lesson.yaml", atomically: true, encoding: .utf8)
        for (lang, word) in [("en", "Mini"), ("ko", "작은 장")] {
            try """
                ## title
                \(word)

                ## intro
                \(word): two steps.

                ## run-it.goal
                \(word): docker run -i -t busybox

                ## run-it.hint1
                \(word): -i -t

                ## run-it.hint2
                \(word): docker run -i -t busybox

                ## ps-all.goal
                \(word): docker ps -a

                ## ps-all.hint1
                \(word): -a

                ## ps-all.hint2
                \(word): docker ps -a

                """.write(toFile: dir + "/\(lang).md", atomically: true, encoding: .utf8)
        }
    }

    func berth(_ args: [String]) throws -> BerthProcess.Result {
        try BerthProcess.runProcess(BerthProcess.binary, args, environment: env)
    }

    /// Every line as JSON: the header object and the events.
    func lines(_ path: String) throws -> (header: [String: Any], events: [[Any]]) {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let header = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let events = try lines.dropFirst().map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [Any]) }
        return (header, events)
    }

    /// The text asciinema would print: every "o" event, concatenated.
    func outputText(_ path: String) throws -> String {
        try lines(path).events.filter { $0[1] as? String == "o" }.compactMap { $0[2] as? String }.joined()
    }

    /// Runs `command` inside a tmux pane (asciinema wants a terminal) and returns its stdout file.
    func inTerminal(_ command: String, timeout: Double = 60) throws -> (status: Int32, output: String) {
        let out = base + "/out-" + UUID().uuidString.prefix(6)
        let tmux = try Tmux("\(command) > \(out) 2> \(out).err", environment: env)
        defer { tmux.kill() }
        guard tmux.waitFor("[exited ", timeout: timeout) else {
            throw BerthError(message: "\(command) did not finish in \(timeout) s")
        }
        let status: Int32 = tmux.screen().contains("[exited 0]") ? 0 : 1
        return (status, try String(contentsOfFile: out, encoding: .utf8))
    }
}

@Suite(.tags(.root), .enabled(if: isRoot, "needs root: containers"), .serialized)
struct TranscriptE2ETests {
    let lab = RecordedLab.shared

    @Test func theRecordingParsesAsAsciicastV2LineByLine() throws {
        try #require(lab.problem == nil, "\(lab.problem ?? "")")
        let (header, events) = try lab.lines(lab.complete)
        #expect(header["version"] as? Int == 2)
        #expect(header["width"] as? Int == 100)
        #expect(header["height"] as? Int == 30)
        #expect(header["timestamp"] is Int)
        #expect((header["env"] as? [String: String])?["TERM"] == "xterm-256color")
        let berth = try #require(header["berth"] as? [String: Any])
        #expect(berth["learner"] as? String == "ana")
        #expect(berth["chapter"] as? String == "01-mini")
        #expect((berth["lesson_checksum"] as? String)?.hasPrefix("sha256:") == true)
        var last = 0.0
        for e in events {
            #expect(e.count == 3)
            let t = try #require(e[0] as? Double)
            #expect(t >= last)
            last = t
        }
        let markers = events.filter { $0[1] as? String == "m" }.compactMap { ($0[2] as? String)?.split(separator: "\n").first }
        #expect(markers.contains("step 1/mini/1 start"))
        #expect(markers.contains("step 1/mini/1 passed"))
        #expect(markers.contains("step 1/mini/2 passed"))
        #expect(markers.contains("$ docker run -i -t busybox"))
        #expect(markers.last?.hasSuffix(" end") == true)
        // What was typed inside the -it container, and what it printed, are both there.
        let input = events.filter { $0[1] as? String == "i" }.compactMap { $0[2] as? String }.joined()
        #expect(input.contains("exit"))
        #expect(try lab.outputText(lab.complete).contains("inside-42"))
    }

    @Test func asciinemaCatPrintsTheSameText() throws {
        try #require(lab.problem == nil, "\(lab.problem ?? "")")
        let r = try lab.inTerminal("asciinema cat \(lab.complete)")
        #expect(r.status == 0)
        #expect(r.output == (try lab.outputText(lab.complete)))
    }

    @Test func asciinemaPlayAcceptsTheFile() throws {
        try #require(lab.problem == nil, "\(lab.problem ?? "")")
        let r = try lab.inTerminal("asciinema play -s 100 -i 0.2 \(lab.complete)")
        #expect(r.status == 0)
        #expect(r.output == (try lab.outputText(lab.complete)))
    }

    @Test func berthPlayAtSpeed100Finishes() throws {
        try #require(lab.problem == nil, "\(lab.problem ?? "")")
        let clock = ContinuousClock()
        let began = clock.now
        let r = try lab.berth(["lab", "play", "--speed", "100", lab.complete])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == (try lab.outputText(lab.complete)))
        #expect(clock.now - began < .seconds(20))
    }

    @Test func replayReproducesEveryRecordedPass() throws {
        try #require(lab.problem == nil, "\(lab.problem ?? "")")
        let r = try lab.berth(["lab", "replay", lab.complete])
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("step 1/mini/1 run-it: passed, reproduced"))
        #expect(r.stdout.contains("step 1/mini/2 ps-all: passed, reproduced"))
        #expect(r.stdout.contains("replay: 2/2 recorded passes reproduced"))
    }

    @Test func exportMarkdownHasEveryCommand() throws {
        try #require(lab.problem == nil, "\(lab.problem ?? "")")
        let r = try lab.berth(["lab", "export", "--md", lab.complete])
        #expect(r.status == 0, "\(r.stderr)")
        let commands = try lab.lines(lab.complete).events.filter { $0[1] as? String == "m" }
            .compactMap { ($0[2] as? String).flatMap { $0.hasPrefix("$ ") ? $0.split(separator: "\n").first : nil } }
        #expect(commands.count == 2)
        for c in commands { #expect(r.stdout.contains(String(c)), "missing \(c)") }
        #expect(r.stdout.contains("## Step 1/2: run-it"))
        #expect(r.stdout.contains("Exited (0)"))
        #expect(!r.stdout.contains("\u{1B}["))
    }

    @Test func gradeGivesTheRightRows() throws {
        try #require(lab.problem == nil, "\(lab.problem ?? "")")
        let edited = lab.base + "/class/edited.cast"
        var text = try String(contentsOfFile: lab.complete, encoding: .utf8)
        let range = try #require(text.range(of: "inside-42"))
        text.replaceSubrange(range, with: "inside-43")
        try text.write(toFile: edited, atomically: true, encoding: .utf8)
        try "not a transcript".write(toFile: lab.base + "/class/notes.txt", atomically: true, encoding: .utf8)

        let r = try lab.berth(["lab", "grade", "--csv", lab.base + "/class"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        try #require(rows.count == 4, "\(r.stdout)")
        #expect(rows[0].prefix(4) == ["file", "learner", "chapter", "steps_passed"])
        let byFile = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0) })
        let complete = try #require(byFile["complete.cast"])
        #expect(Array(complete[1...5]) == ["ana", "01-mini", "2", "2", "0"])
        #expect(complete[7] == "2", "both steps passed at the first try")
        #expect(complete[9] == "intact" && complete[10].isEmpty)
        let half = try #require(byFile["half.cast"])
        #expect(Array(half[1...4]) == ["ben", "01-mini", "1", "2"])
        #expect(half[9] == "intact")
        let bad = try #require(byFile["edited.cast"])
        #expect(bad[10] == "edited")
        #expect(bad[9].hasPrefix("edited"))
        #expect(r.stderr.contains("notes.txt: skipped"))
    }
}

/// The checked-in golden transcripts, one per lesson, replayed on fresh state roots: a lesson or
/// runtime change that breaks a recorded pass fails here. Serialized: chapters 3 and 4 both
/// publish host port 8080.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: containers"), .serialized)
struct GoldenTranscriptTests {
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var transcripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: repo + "/Transcripts")) ?? []).filter { $0.hasSuffix(".cast") }.sorted()
    }

    /// Chapters 4 and 6 install apache2 and tomcat10 from the Debian mirror inside a container;
    /// without the mirror their replays cannot pass, so they run only when the mirror answers.
    static let needsMirror = ["04-", "06-"]
    static let mirror: String? = {
        let sources = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]
            .compactMap { try? String(contentsOfFile: $0, encoding: .utf8) }.joined(separator: "\n")
        // deb822 `URIs: URL` or `deb URL suite …`, comments skipped.
        for line in sources.split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ")
            if words.count > 1, words[0] == "URIs:" || words[0] == "deb", words[1].hasPrefix("http") { return String(words[1]) }
        }
        return nil
    }()

    static let mirrorReachable: Bool = {
        guard let mirror else { return false }
        let r = try? BerthProcess.runProcess(
            "/usr/bin/curl", ["-sS", "-o", "/dev/null", "-m", "10", "-w", "%{http_code}", mirror + "/dists/bookworm/Release"],
            environment: ProcessInfo.processInfo.environment)
        let ok = r?.stdout == "200"
        if !ok {
            print("⚠️  WARNING: the Debian mirror \(mirror) is not reachable: the golden transcripts of chapters 4 (apache) and 6 (tomcat) are NOT replayed")
        }
        return ok
    }()

    @Test func everyLessonHasAGoldenTranscript() throws {
        let lessons = try FileManager.default.contentsOfDirectory(atPath: Self.repo + "/Lessons")
            .filter { $0.count > 3 && $0.prefix(2).allSatisfy(\.isNumber) }.sorted()
        #expect(Self.transcripts == lessons.map { $0 + ".cast" })
    }

    /// A golden transcript must pass every step of the lesson as it is now: a lesson that gained a
    /// step or changed its text since the recording needs `make transcripts`.
    @Test func everyGoldenTranscriptPassesEveryStepOfTheCurrentLesson() throws {
        var env = ProcessInfo.processInfo.environment
        env["BERTH_LESSONS"] = Self.repo + "/Lessons"
        let r = try BerthProcess.runProcess(BerthProcess.binary, ["lab", "grade", "--json", Self.repo + "/Transcripts"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == Self.transcripts.count)
        for row in rows {
            let file = row["file"] as? String ?? "?"
            let chapter = try #require(row["chapter"] as? String, "\(file) names no chapter")
            let yaml = try String(contentsOfFile: Self.repo + "/Lessons/\(chapter)/lesson.yaml", encoding: .utf8)
            let steps = yaml.split(separator: "\n").filter { $0.hasPrefix("  - id:") }.count
            let passed = row["steps_passed"] as? Int ?? -1
            #expect(steps > 0 && passed == steps, "Transcripts/\(file) passes \(passed) of the \(steps) steps of Lessons/\(chapter): run `make transcripts`")
            let flags = row["flags"] as? [String] ?? []
            #expect(!flags.contains("lesson-changed"), "Transcripts/\(file) was recorded against an older Lessons/\(chapter): run `make transcripts`")
            #expect(row["integrity"] as? String == "intact", "Transcripts/\(file): \(row["integrity"] ?? "?")")
        }
    }

    @Test(arguments: transcripts.filter { name in !needsMirror.contains { name.hasPrefix($0) } })
    func replays(_ name: String) throws { try replay(name) }

    @Test(
        .enabled(if: mirrorReachable, "the Debian mirror is not reachable: chapters 4 and 6's golden transcripts are NOT replayed"),
        arguments: transcripts.filter { name in needsMirror.contains { name.hasPrefix($0) } })
    func replaysWithMirror(_ name: String) throws { try replay(name) }

    func replay(_ name: String) throws {
        var env = ProcessInfo.processInfo.environment
        env["BERTH_LESSONS"] = Self.repo + "/Lessons"
        let r = try withFixedPortsLock {
            try BerthProcess.runProcess(BerthProcess.binary, ["lab", "replay", Self.repo + "/Transcripts/" + name], environment: env)
        }
        #expect(r.status == 0, "\(name) did not reproduce:\n\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("recorded passes reproduced"))
    }
}

/// The recorder around a plain command (no lab, no root): markers from the inherited pipe land
/// between the output around them, redaction applies, the exit status comes back.
@Suite struct RecorderTests {
    func record(_ args: [String], script: String) throws -> (BerthProcess.Result, String) {
        let path = "/tmp/brec-" + UUID().uuidString.prefix(8).lowercased() + ".cast"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try BerthProcess.runProcess(
            BerthProcess.binary, ["lab", "record", "--record", path, "--learner", "t"] + args + ["--", "/bin/sh", "-c", script],
            environment: ProcessInfo.processInfo.environment.filter { $0.key != "BERTH_LAB_RECORDING" })
        return (r, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    @Test func markersLandBetweenTheOutputAroundThem() throws {
        let marker = #"{"kind":"command","line":"true","exit":0}"#
        let (r, file) = try record([], script: "echo before; echo '\(marker)' >&$BERTH_LAB_MARKERS_FD; sleep 0.2; echo after; printf 'x\\377y\\n'; exit 3")
        #expect(r.status == 3)
        let before = try #require(file.range(of: "before"))
        let m = try #require(file.range(of: #""m", "$ true\n"#))
        let after = try #require(file.range(of: "after"))
        #expect(before.upperBound < m.lowerBound && m.upperBound < after.lowerBound)
        #expect(file.contains("x\u{FFFD}y"))
        #expect(file.contains(" end\"]\n"))
        #expect(file.contains(#""learner":"t""#))
    }

    @Test func anExistingFileIsNeverWrittenOver() throws {
        let path = "/tmp/brec-" + UUID().uuidString.prefix(8).lowercased() + ".cast"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "earlier session".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try BerthProcess.runProcess(
            BerthProcess.binary, ["lab", "record", "--record", path, "--", "/bin/true"],
            environment: ProcessInfo.processInfo.environment.filter { $0.key != "BERTH_LAB_RECORDING" })
        #expect(r.status == 1)
        #expect(r.stderr == "Error: \(path) already exists: choose another --record FILE or remove it\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "earlier session")
    }

    @Test func anUnwritableStateDirectoryIsNamedInPlainWords() throws {
        // A file where a directory should be: mkdir fails with ENOTDIR even for root.
        let file = "/tmp/brec-" + UUID().uuidString.prefix(8).lowercased()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "".write(toFile: file, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment.filter { $0.key != "BERTH_LAB_RECORDING" }
        env["XDG_STATE_HOME"] = file + "/state"
        let r = try BerthProcess.runProcess(BerthProcess.binary, ["lab", "record", "--", "/bin/true"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("Error: cannot write the transcript \(file)/state/berth/transcripts/"), "\(r.stderr)")
        #expect(r.stderr.hasSuffix(".cast: not a directory\n"), "\(r.stderr)")
    }

    @Test func redactedTextNeverReachesTheFile() throws {
        let (r, file) = try record(["--redact", "secret-[0-9]+"], script: "echo token secret-12345 here")
        #expect(r.status == 0)
        #expect(!file.contains("secret-12345"))
        #expect(file.contains("token [REDACTED] here"))
    }
}
