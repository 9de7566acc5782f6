import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthLab

/// Each chapter walked with `:solution run`, on one real state root in chapter order, then
/// `berth lab check`: what a teacher would run after a learner finished.
@Suite("Lab solutions and lab check", .tags(.root), .enabled(if: isRoot, "needs root: real containers"), .serialized)
struct LabSolutionTests {
    /// Solutions that need a terminal (`-it` sessions, `attach`), and what does the same without one.
    static let withoutTerminal = [
        "02-containers/run-it": ["docker run -d -i -t busybox true", "sleep 1"],
        "02-containers/attach-detach": ["docker exec mybox touch /tmp/attached"],
    ]

    func walk(_ chapter: String, _ session: LabSession) throws {
        session.start(chapter)
        let lesson = try #require(session.lesson)
        var opened = 0
        while let step = session.step, opened < lesson.steps.count {
            opened += 1
            // No step may hold before its own command: a stray command must not pass it.
            let before = session.checker.evaluate(step, context: CheckContext(chapter: lesson.id))
            #expect(!before.passed, "\(lesson.id)/\(step.id) holds before the learner did anything")
            if let lines = Self.withoutTerminal[lesson.id + "/" + step.id] {
                for line in lines { session.run(line) }
            } else {
                session.solution(run: true)
            }
            if session.step?.id == step.id {
                // A server may take a moment: check again before calling it a failure.
                Thread.sleep(forTimeInterval: 1)
                session.runLabCommand(":check")
            }
            #expect(session.step?.id != step.id, "\(lesson.id)/\(step.id): its solution did not pass it")
            if session.step?.id == step.id { session.skip() }
        }
        #expect(session.progress[lesson.id].isComplete(lesson))
    }

    @Test func solutionsPassAndLabCheckHoldsAfterward() throws {
        try withFixedPortsLock { try BerthRunner.withStateRoot { berth in
            try withTemporaryDirectory { dir in
                // `lab check` as the learner: the same progress folder, so the same `$LAB`.
                let berth = BerthRunner(paths: berth.paths, environment: ["XDG_STATE_HOME": dir])
                #expect(try berth.run(["pull", "busybox"]).status == 0)
                #expect(try berth.run(["pull", "debian:12"]).status == 0)
                let (session, _) = try realSession(berth, progressIn: dir)
                for chapter in ["01-images", "02-containers", "03-binding", "05-storage"] {
                    // Chapter 5 removes busybox while chapter 3's containers still use it: its solution copes.
                    try walk(chapter, session)
                    let check = try berth.run(["lab", "check", chapter, "--lessons", lessonsRoot, "--json"])
                    #expect(check.status == 0, "\(chapter): \(check.stdout)\(check.stderr)")
                    let json = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
                    #expect(json["chapter"] as? String == chapter)
                    #expect(json["passed"] as? Bool == true)
                    let steps = try #require(json["steps"] as? [[String: Any]])
                    #expect(steps.count == session.lesson?.steps.count)
                    #expect(steps.allSatisfy { ["passed", "needs-output", "undone"].contains($0["result"] as? String ?? "") })
                    guard chapter == "03-binding" else { continue }
                    // Chapter 2's own containers are gone; chapter 3's still run, and chapter 2 holds.
                    let chapter2 = try berth.run(["lab", "check", "2", "--lessons", lessonsRoot])
                    #expect(chapter2.status == 0, "\(chapter2.stdout)")
                    #expect(chapter2.stdout.contains("undone") && chapter2.stdout.contains("needs-output"))
                    // Breaking a final step makes the check fail with the step and the reason.
                    #expect(try berth.run(["rm", "-f", "net1"]).status == 0)
                    let broken = try berth.run(["lab", "check", "3", "--lessons", lessonsRoot])
                    #expect(broken.status == 1)
                    #expect(broken.stdout.contains("1. look-inside") && broken.stdout.contains("failed"), "\(broken.stdout)")
                }
            }
        } }
    }

    /// Chapter 5 after earlier chapters: `rmi busybox` is refused for a container the learner
    /// left behind; the refusal gets its hint, and `rmi -f` (Docker's untag) passes the step.
    @Test func chapter5RmiRefusedThenForced() throws {
        try BerthRunner.withStateRoot { berth in
            try withTemporaryDirectory { dir in
                #expect(try berth.run(["pull", "busybox"]).status == 0)
                #expect(try berth.run(["run", "-d", "--name", "left-from-ch3", "busybox", "sleep", "600"]).status == 0)
                var printed = ""
                let (session, _) = try realSession(berth, progressIn: dir) { printed += $0 + "\n" }
                session.start("05-storage")
                while let step = session.step, step.id != "rmi-base" { session.solution(run: true) }
                #expect(session.step?.id == "rmi-base")
                #expect(try berth.run(["rm", "-f", "scratch"]).status == 0)
                printed = ""
                session.run("docker rmi busybox")
                #expect(session.lastOutput.contains("unable to remove repository reference \"busybox\" (must force) - container"))
                #expect(printed.contains("or force it: `docker rmi -f busybox`"), "\(printed)")
                #expect(session.step?.id == "rmi-base")
                session.run("docker rmi -f busybox")
                #expect(session.lastOutput.contains("Untagged: busybox:latest"), "\(session.lastOutput)")
                #expect(session.step?.id == "pull-back", "\(printed)")
                #expect(try berth.run(["inspect", "-f", "{{.State.Running}}", "left-from-ch3"]).stdout.hasPrefix("true"))
            }
        }
    }

    @Test func labListAlignsItsColumns() throws {
        try BerthRunner.withStateRoot { berth in
            let r = try berth.run(["lab", "list", "--lessons", lessonsRoot, "--lang", "en"])
            #expect(r.status == 0, "\(r.stderr)")
            let lines = r.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 6)
            #expect(lines.first?.hasPrefix("01-images") == true && lines.contains { $0.hasPrefix("02-containers") && $0.contains("16 steps") })
            // The titles start in one column, whatever the number of steps.
            let columns = Set(lines.map { $0.range(of: "steps")!.upperBound.utf16Offset(in: $0) })
            #expect(columns.count == 1, "\(r.stdout)")
        }
    }
}
