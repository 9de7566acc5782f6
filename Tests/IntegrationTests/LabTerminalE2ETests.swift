import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// What the lab's readline gives a learner at the real terminal, read off the tmux screen:
/// resuming where they left off, Tab completion, Ctrl-R through the previous session's history.
/// Two sessions of one test share the state root and XDG_STATE_HOME, as one learner's would.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root"), .serialized)
struct LabTerminalE2ETests {
    /// A seeded state root, without the fixed-ports lock: nothing here publishes a port.
    func withSeededRoot(_ body: (BerthProcess) throws -> Void) throws {
        try withTemporaryStateRoot { berth in
            let seed = try berth.run("seed")
            try #require(seed.status == 0, "seed failed: \(seed.stderr)")
            try body(berth)
        }
    }

    /// Leaves the lab with Ctrl-D on an empty line and waits for it to exit.
    func quit(_ lab: LabDriver) throws {
        try lab.tmux.keys("C-d")
        #expect(lab.tmux.waitFor("[exited 0]", timeout: 10), "\(lab.tmux.screen())")
        lab.tmux.kill()
    }

    @Test func quittingMidChapterResumesAtTheSameStep() throws {
        try withSeededRoot { berth in
            let first = try LabDriver(berth, chapter: "1")
            #expect(first.tmux.waitFor("[1/images 1/7] $ ", timeout: 30), "\(first.tmux.screen())")
            try first.perform(.command("docker pull busybox"))
            try first.perform(.command("docker pull debian:12"))
            #expect(first.tmux.waitFor("[1/images 3/7] $ ", timeout: 10), "\(first.tmux.screen())")
            try quit(first)

            // `berth lab` with no chapter: the last one opens again, at the step the learner left.
            let second = try LabDriver(berth, chapter: "")
            defer { second.tmux.kill() }
            #expect(second.tmux.waitFor("[1/images 3/7] $ ", timeout: 30), "\(second.tmux.screen())")
            let screen = second.tmux.screen()
            #expect(!screen.contains("[1/images 1/7]") && !screen.contains("[1/images 2/7]"), "\(screen)")
            #expect(screen.contains("Step 3/7"), "\(screen)")
            try quit(second)
        }
    }

    @Test func tabCompletesSubcommandsAndContainerNames() throws {
        try withSeededRoot { berth in
            let created = try berth.run("create", "--name", "webserver-one", "busybox", "sleep", "600")
            try #require(created.status == 0, "\(created.stderr)")
            let lab = try LabDriver(berth, chapter: "2")
            defer { lab.tmux.kill() }
            #expect(lab.tmux.waitFor("[2/containers 1/16] $ ", timeout: 30), "\(lab.tmux.screen())")
            // Two subcommands start with `sta`: the first Tab has nothing to add, the second lists both.
            try lab.tmux.type("docker sta")
            try lab.tmux.keys("Tab")
            try lab.tmux.keys("Tab")
            #expect(lab.tmux.waitFor("stats", timeout: 10), "\(lab.tmux.screen())")
            #expect(lab.tmux.screen().contains("start"))
            try lab.tmux.type("r")
            try lab.tmux.keys("Tab")
            #expect(lab.tmux.waitFor("$ docker start ", timeout: 10), "\(lab.tmux.screen())")
            try lab.tmux.type("webs")
            try lab.tmux.keys("Tab")
            #expect(lab.tmux.waitFor("$ docker start webserver-one", timeout: 10), "\(lab.tmux.screen())")
            // What is on the screen is what runs: the container named in full starts.
            let before = lab.tmux.count(LabDriver.prompt)
            try lab.tmux.keys("Enter")
            #expect(lab.tmux.waitFor(LabDriver.prompt, times: before + 1, timeout: 20), "\(lab.tmux.screen())")
            #expect(try berth.run("inspect", "-f", "{{.State.Running}}", "webserver-one").stdout.hasPrefix("true"))
            try quit(lab)
        }
    }

    @Test func ctrlRFindsALineFromThePreviousSession() throws {
        try withSeededRoot { berth in
            let first = try LabDriver(berth, chapter: "1")
            #expect(first.tmux.waitFor("[1/images 1/7] $ ", timeout: 30), "\(first.tmux.screen())")
            try first.perform(.command("echo recalled-$((6*7))"))
            #expect(first.tmux.screen().contains("recalled-42"))
            try first.perform(.command("ls /"))
            try quit(first)

            let second = try LabDriver(berth, chapter: "1")
            defer { second.tmux.kill() }
            #expect(second.tmux.waitFor("[1/images 1/7] $ ", timeout: 30), "\(second.tmux.screen())")
            #expect(!second.tmux.screen().contains("recalled-42"))
            try second.tmux.keys("C-r")
            try second.tmux.type("recalled")
            #expect(second.tmux.waitFor("(reverse-i-search)`recalled': echo recalled-$((6*7))", timeout: 10),
                    "\(second.tmux.screen())")
            let before = second.tmux.count(LabDriver.prompt)
            try second.tmux.keys("Enter")
            #expect(second.tmux.waitFor(LabDriver.prompt, times: before + 1, timeout: 20), "\(second.tmux.screen())")
            // The found line ran: its output is on this session's screen.
            #expect(second.tmux.waitFor("recalled-42", timeout: 5), "\(second.tmux.screen())")
            try quit(second)
        }
    }
}
