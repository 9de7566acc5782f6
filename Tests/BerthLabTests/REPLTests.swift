#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation
import Testing

@testable import BerthLab

/// Runs nothing; remembers what it was asked to run.
final class FakeRunner: LabLineRunner {
    var lines: [String] = []
    var environments: [[String: String]] = []
    func run(_ line: String, environment: [String: String]) -> CommandOutcome {
        lines.append(line)
        environments.append(environment)
        return CommandOutcome(status: 0)
    }
    func runQuietly(_ line: String, environment: [String: String]) -> CommandOutcome { run(line, environment: environment) }
}

struct REPLTests {
    @Test("a line with an open quote is refused", arguments: [
        ("echo 'half", Character("'")), ("docker run \"busybox", "\""), ("echo `date", "`"),
    ])
    func unbalanced(line: String, quote: Character) {
        #expect(REPL.unbalancedQuote(line) == quote)
    }

    @Test("balanced lines pass", arguments: [
        "docker ps --format \"{{.ID}}\\t{{.Image}}\"", "echo 'it''s'", "echo \\'", "docker rm $(docker ps -a -q)", "echo \"a 'b\"",
    ])
    func balanced(line: String) {
        #expect(REPL.unbalancedQuote(line) == nil)
    }

    @Test func simpleDockerLinesRunBerthDirectly() {
        #expect(PTYLineRunner.argv(for: "docker run -it busybox", berth: "/b") == ["/b", "run", "-it", "busybox"])
        #expect(PTYLineRunner.argv(for: "docker ps --format '{{.ID}} x'", berth: "/b") == ["/b", "ps", "--format", "{{.ID}} x"])
        #expect(PTYLineRunner.argv(for: "docker rm $(docker ps -a -q)", berth: "/b") == ["/bin/sh", "-c", "docker rm $(docker ps -a -q)"])
        #expect(PTYLineRunner.argv(for: "docker ps | wc -l", berth: "/b") == ["/bin/sh", "-c", "docker ps | wc -l"])
        #expect(PTYLineRunner.argv(for: "ls /tmp", berth: "/b") == ["/bin/sh", "-c", "ls /tmp"])
    }

    @Test func terminalOutputBecomesPlainText() {
        let bytes = Array("\u{1b}[1;32mCONTAINER ID\u{1b}[0m   NAMES\r\nabc\r\n\u{1b}]0;title\u{07}done".utf8)
        #expect(PTYLineRunner.plainText(bytes) == "CONTAINER ID   NAMES\nabc\ndone")
    }

    @Test func markerLinesFollowTheContract() {
        #expect(MarkerSink.line([("kind", .string("step")), ("chapter", .string("02-containers")), ("step", .string("rename")),
                                 ("index", .int(3)), ("total", .int(9))])
            == "{\"kind\":\"step\",\"chapter\":\"02-containers\",\"step\":\"rename\",\"index\":3,\"total\":9}\n")
        #expect(MarkerSink.line([("kind", .string("command")), ("line", .string("echo \"a\"\tb")), ("exit", .int(0))])
            == "{\"kind\":\"command\",\"line\":\"echo \\\"a\\\"\\tb\",\"exit\":0}\n")
    }

    @Test func completionOffersWhatEachPositionTakes() {
        let c = Completion(chapters: ["01-images", "02-containers"], images: ["busybox", "busybox:latest", "debian:12"],
                           containers: ["box1", "mybox", "0123456789ab"])
        #expect(c.candidates(before: "", word: "do") == ["docker"])
        #expect(c.candidates(before: "", word: ":s") == [":skip", ":solution", ":start", ":status", ":step"])
        #expect(c.candidates(before: ":start ", word: "0") == ["01-images", "02-containers"])
        #expect(c.candidates(before: ":start ", word: "con") == ["containers"])
        #expect(c.candidates(before: ":lang ", word: "") == ["en", "ko"])
        #expect(c.candidates(before: "docker ", word: "re") == ["rename", "restart"])
        #expect(c.candidates(before: "docker run ", word: "--r") == ["--rm"])
        #expect(c.candidates(before: "docker run -d ", word: "bu") == ["busybox", "busybox:latest"])
        #expect(c.candidates(before: "docker run -d --name ", word: "b") == nil)
        #expect(c.candidates(before: "docker run -d busybox ", word: "s") == nil)
        #expect(c.candidates(before: "docker stop ", word: "") == ["0123456789ab", "box1", "mybox"])
        #expect(c.candidates(before: "docker exec -it ", word: "m") == ["mybox"])
        #expect(c.candidates(before: "docker container ", word: "pr") == ["prune"])
        #expect(c.candidates(before: "docker container rm ", word: "b") == ["box1"])
        #expect(c.candidates(before: "docker image rm ", word: "d") == ["debian:12"])
        #expect(c.candidates(before: "echo hi | docker ", word: "ps") == ["ps"])
        #expect(c.candidates(before: "ls ", word: "/tm") == nil)
    }

    /// The session without a terminal: a step passes on the state, the prompt moves on, the
    /// markers and the saved progress say so, and a known mistake gets its hint at once.
    @Test func sessionPassesAStepAndMovesOn() throws {
        try withTemporaryDirectory { dir in
            let (library, broken) = try LabSession.loadChapters(from: lessonsRoot)
            #expect(broken.isEmpty)
            let state = FixtureState()
            var fds: [Int32] = [-1, -1]
            #expect(pipe(&fds) == 0)
            defer { close(fds[0]) }
            var printed: [String] = []
            let runner = FakeRunner()
            let store = ProgressStore(path: dir + "/berth/progress.json")
            let session = LabSession(
                library: library, paths: StatePaths(root: dir + "/root", run: dir + "/run"), store: store,
                progress: Progress(), language: .en, runner: runner, markers: MarkerSink(fd: fds[1]),
                matcher: MistakeMatcher(hostAddresses: { ["127.0.0.1"] }), checker: state.checker,
                print: { printed.append($0) })
            session.start("2")
            #expect(session.prompt == "[2/containers 1/16] $ ")
            session.commandFinished("docker run busybox", CommandOutcome(status: 0))
            #expect(session.prompt == "[2/containers 1/16] $ ")
            state.containerList = [ContainerFacts(id: hexID("a"), name: "x", imageRef: "busybox", imageID: "sha256:" + hexID("b"),
                                                  status: .exited, tty: true, interactive: true)]
            state.addImage("busybox:latest", id: "sha256:" + hexID("b"))
            session.commandFinished("docker run -it busybox", CommandOutcome(status: 0))
            #expect(session.prompt == "[2/containers 2/16] $ ")
            #expect(printed.contains("✔ Step 1/16 passed!"))

            printed = []
            session.commandFinished("docker ps -name x", CommandOutcome(status: 125, output: "unknown shorthand flag"))
            #expect(printed.contains { $0.hasPrefix("💡") }, "\(printed)")

            session.commandFinished("docker ps -a", CommandOutcome(status: 0, output: "abc  Exited (0) 2 seconds ago"))
            #expect(session.prompt == "[2/containers 3/16] $ ")
            close(fds[1])
            var all: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 4096)
            while case let n = read(fds[0], &buf, buf.count), n > 0 { all += buf[0..<n] }
            let markers = String(decoding: all, as: UTF8.self).split(separator: "\n")
            #expect(markers.first == "{\"kind\":\"step\",\"chapter\":\"02-containers\",\"step\":\"run-it\",\"index\":1,\"total\":16}")
            #expect(markers.contains("{\"kind\":\"check\",\"chapter\":\"02-containers\",\"step\":\"run-it\",\"passed\":true,\"hints\":0,\"attempts\":2}"))
            #expect(markers.contains("{\"kind\":\"command\",\"line\":\"docker ps -a\",\"exit\":0}"))

            let saved = try store.load()
            #expect(saved["02-containers"]["run-it"].passed)
            #expect(saved["02-containers"]["ps-all"].passed)
            #expect(saved.currentChapter == "02-containers")
            #expect(saved.resumeStep(in: library.lesson("2")!)?.id == "create-start")

            session.hint()
            #expect(try store.load()["02-containers"]["create-start"].hintsUsed == 1)
            session.runLabCommand(":nope")
            #expect(printed.last == ":nope is not a lab command; :help lists them.")
            session.start("99")
            #expect(printed.last?.hasPrefix("There is no chapter '99'") == true)
        }
    }

    @Test func aBrokenChapterIsReportedNotFatal() throws {
        try withTemporaryDirectory { dir in
            try FileManager.default.copyItem(atPath: lessonsRoot, toPath: dir + "/Lessons")
            try "steps: [".write(toFile: dir + "/Lessons/01-images/lesson.yaml", atomically: true, encoding: .utf8)
            let (library, broken) = try LabSession.loadChapters(from: dir + "/Lessons")
            #expect(library.lesson("1") == nil)
            #expect(library.lesson("2") != nil)
            #expect(broken.map(\.folder) == ["01-images"])
            #expect(broken.first?.message.contains("YAML syntax error") == true)
        }
    }
}

struct REPLTerminalLineTests {
    @Test("lines that give a shell inside a container", arguments: [
        ("docker run -i -t --name apache -p 8080:80 debian:12", true), ("docker run -it busybox", true),
        ("docker attach mybox", true), ("docker exec -it box1 sh", true), ("docker run -dit busybox", true),
        ("docker run -d busybox sleep 9", false), ("docker ps -a", false), ("docker pull busybox", false),
        ("docker run -d --name x busybox ls -t", true),
    ])
    func handsOver(line: String, expected: Bool) {
        #expect(LabSession.handsOverTerminal(line) == expected)
    }
}
