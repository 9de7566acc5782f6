import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// Transcripts written by hand (no recording needed) and replayed for real: resizes reach the
/// container, an interrupted replay leaves nothing behind.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: containers"), .serialized)
struct TranscriptReplayE2ETests {
    /// A one-step chapter `01-size` whose check looks for `want` in the last command's output.
    static func writeLesson(_ root: String, want: String) throws {
        let dir = root + "/01-size"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
            title: title
            intro: intro
            steps:
              - id: size
                goal: size.goal
                checks:
                  - output_contains: {regex: '\(want)'}
                hints: [size.hint1, size.hint2]
                solution: ["docker run -i -t busybox"]

            """.write(toFile: dir + "/lesson.yaml", atomically: true, encoding: .utf8)
        for lang in ["en", "ko"] {
            try "## title\nSize\n\n## intro\nOne step.\n\n## size.goal\nstty size\n\n## size.hint1\nstty\n\n## size.hint2\nstty size\n"
                .write(toFile: dir + "/\(lang).md", atomically: true, encoding: .utf8)
        }
    }

    /// An asciicast v2 file of `events` (`[time, code, data]`), 80×24, no chain.
    static func writeCast(_ path: String, _ events: [(Double, String, String)]) throws {
        var text = #"{"version": 2, "width": 80, "height": 24, "berth": {"chapter": "01-size", "learner": "t", "language": "en", "version": "0"}}"# + "\n"
        for (t, code, data) in events {
            let json = String(decoding: try JSONSerialization.data(withJSONObject: [data], options: [.fragmentsAllowed]), as: UTF8.self)
            text += "[\(String(format: "%.6f", t)), \"\(code)\", \(json.dropFirst().dropLast())]\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func marker(_ label: String, _ json: String) -> String { label + "\n" + json }

    static let step = marker("step 1/size/1 start", #"{"chapter":"01-size","index":1,"kind":"step","step":"size","total":1}"#)
    static let check = marker("step 1/size/1 passed", #"{"chapter":"01-size","index":1,"kind":"check","passed":true,"step":"size"}"#)

    func environment(_ lessons: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["BERTH_LESSONS"] = lessons
        env["BERTH_LAB_RECORDING"] = nil
        return env
    }

    /// The learner typed `stty size` at 80×24, made the window 111×33 and typed it again: the
    /// check wants the second answer, which only a replay that resizes its terminal (and the
    /// container's, through `docker run -it`) sees; and no wait for a prompt times out.
    @Test func aResizeDuringAnInteractiveSessionReachesTheContainer() throws {
        let scratch = try ScratchDirectory(prefix: "bcast-")
        defer { withExtendedLifetime(scratch) {} }  // its lock keeps other runs' sweeps away
        let lessons = scratch.path + "/lessons"
        try Self.writeLesson(lessons, want: "33 111")
        let cast = scratch.path + "/resize.cast"
        let line = "docker run -i -t busybox"
        try Self.writeCast(cast, [
            (0.1, "m", Self.step),
            (0.5, "m", Self.marker("$ \(line)", #"{"kind":"command","line":"\#(line)"}"#)),
            (1.0, "o", "/ # "),
            (2.0, "i", "stty size\r"),
            (2.1, "o", "stty size\r\n24 80\r\n/ # "),
            (3.0, "r", "111x33"),
            (4.0, "i", "stty size\r"),
            (4.1, "o", "stty size\r\n33 111\r\n/ # "),
            (5.0, "i", "exit\r"),
            (5.5, "m", Self.marker("$ \(line)", #"{"exit":0,"kind":"command","line":"\#(line)"}"#)),
            (5.6, "m", Self.check),
        ])
        let clock = ContinuousClock()
        let began = clock.now
        let r = try BerthProcess.runProcess(BerthProcess.binary, ["lab", "replay", cast], environment: environment(lessons))
        let took = clock.now - began
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("step 1/size/1 size: passed, reproduced"), "\(r.stdout)")
        #expect(!r.stderr.contains("did not finish"))
        #expect(took < .seconds(30), "replay took \(took)")
    }
}

extension TranscriptReplayE2ETests {
    /// Ctrl-C during a replay: it stops at once and removes what it made, as its normal end
    /// does — the container, its monitor, the bridge, the run directory — then exits 130.
    @Test func anInterruptedReplayLeavesNothingBehind() throws {
        let scratch = try ScratchDirectory(prefix: "bcast-")
        defer { withExtendedLifetime(scratch) {} }
        let lessons = scratch.path + "/lessons"
        try Self.writeLesson(lessons, want: "never")
        let cast = scratch.path + "/long.cast"
        let run = "docker run -d busybox sleep 300"
        try Self.writeCast(cast, [
            (0.1, "m", Self.step),
            (1.0, "m", Self.marker("$ \(run)", #"{"exit":0,"kind":"command","line":"\#(run)"}"#)),
            (61.0, "m", Self.marker("$ sleep 60", #"{"exit":0,"kind":"command","line":"sleep 60"}"#)),
            (61.5, "m", Self.check),
        ])
        let root = scratch.path + "/root"
        let runDirsBefore = Set(try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("br-run-") })
        let p = try BerthProcess.spawnProcess(BerthProcess.binary, ["lab", "replay", "--root", root, cast], environment: environment(lessons))
        defer { [p.stdin, p.stdout, p.stderr].forEach { close($0) } }
        // Wait for the container to run (then the replay is in `sleep 60`).
        var ids: [String] = []
        for _ in 0..<150 where ids.isEmpty {
            usleep(200_000)
            ids = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/containers")) ?? []).filter { !$0.hasPrefix(".") }
        }
        try #require(ids.count == 1, "no container started")
        let id = ids[0]
        let runDirs = Set(try FileManager.default.contentsOfDirectory(atPath: "/tmp").filter { $0.hasPrefix("br-run-") })
            .subtracting(runDirsBefore)
        usleep(1_500_000)
        let processes = { () -> [String] in
            ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { $0.allSatisfy(\.isNumber) }.compactMap {
                (try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8))?.replacingOccurrences(of: "\0", with: " ")
            }.filter { $0.contains(id) }
        }
        let bridges = { () -> [String] in
            ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []).filter {
                (try? String(contentsOfFile: "/sys/class/net/\($0)/ifalias", encoding: .utf8))?.contains("berth:" + root) == true
            }
        }
        #expect(!processes().isEmpty, "the container's monitor runs before the interrupt")
        #expect(!bridges().isEmpty, "the replay's bridge exists before the interrupt")

        let clock = ContinuousClock()
        let began = clock.now
        kill(p.pid, SIGINT)
        var status: Int32 = 0
        waitpid(p.pid, &status, 0)
        let stderr = String(decoding: FileHandle(fileDescriptor: p.stderr, closeOnDealloc: false).readDataToEndOfFile(), as: UTF8.self)
        #expect((status >> 8) & 0xff == 130, "exit status \(status): \(stderr)")
        #expect(clock.now - began < .seconds(30))
        #expect(processes().isEmpty, "processes of container \(id) left: \(processes())")
        #expect(bridges().isEmpty, "bridges left: \(bridges())")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root + "/containers")) ?? []).filter { !$0.hasPrefix(".") }.isEmpty)
        for dir in runDirs { #expect(!FileManager.default.fileExists(atPath: "/tmp/" + dir), "/tmp/\(dir) left") }
    }
}

extension TranscriptReplayE2ETests {
    /// `cd DIR` at the lab prompt is recorded as a command; replay runs the next lines there.
    @Test func replayFollowsTheLearnersCd() throws {
        let scratch = try ScratchDirectory(prefix: "bcast-")
        defer { withExtendedLifetime(scratch) {} }
        let lessons = scratch.path + "/lessons"
        try Self.writeLesson(lessons, want: "only-in-work")
        try FileManager.default.createDirectory(atPath: scratch.path + "/work", withIntermediateDirectories: true)
        try "".write(toFile: scratch.path + "/work/only-in-work", atomically: true, encoding: .utf8)
        let cast = scratch.path + "/cd.cast"
        try Self.writeCast(cast, [
            (0.1, "m", Self.step),
            (1.0, "m", Self.marker("$ cd work", #"{"exit":0,"kind":"command","line":"cd work"}"#)),
            (2.0, "m", Self.marker("$ ls", #"{"exit":0,"kind":"command","line":"ls"}"#)),
            (2.1, "m", Self.check),
        ])
        var env = environment(lessons)
        env["HOME"] = scratch.path
        let r = try BerthProcess.runProcess("/bin/sh", ["-c", "cd \"$0\" && exec \"$1\" lab replay \"$2\"", scratch.path, BerthProcess.binary, cast], environment: env)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("1/1 recorded passes reproduced"))
    }
}
