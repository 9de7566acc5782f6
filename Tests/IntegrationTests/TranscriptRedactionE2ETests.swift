import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// A lab session recorded under tmux with `--redact`: the secret is typed at the lab prompt and a
/// password at `read -p`'s prompt (which echoes), and neither reaches the file, in any event.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: the lab's state root"))
struct TranscriptRedactionE2ETests {
    @Test func redactedAndPromptedSecretsNeverReachTheFileAndItStaysIntact() throws {
        let scratch = try ScratchDirectory(prefix: "bcast-")
        let base = scratch.path
        try RecordedLab.writeMiniLesson(base + "/lessons")
        var env = ProcessInfo.processInfo.environment
        env["BERTH_ROOT"] = base + "/root"
        env["BERTH_RUN"] = base + "/run"
        env["BERTH_LESSONS"] = base + "/lessons"
        env["TERM"] = "xterm-256color"
        defer { ScratchDirectory.destroyStateRoot(StatePaths(root: base + "/root", run: base + "/run")) }
        let vars = env.filter { ["BERTH_ROOT", "BERTH_RUN", "BERTH_LESSONS", "TERM", "PATH", "HOME"].contains($0.key) }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let cast = base + "/class/redacted.cast"
        let tmux = try Tmux(
            "env \(vars) XDG_STATE_HOME=\(base)/state \(BerthProcess.binary) lab open 1 --lang en --learner ana --redact s3cr3t --record \(cast)",
            environment: env, width: 100, height: 30)
        defer { tmux.kill() }
        try #require(tmux.waitFor("[1/mini 1/2] $", timeout: 30), "no lab prompt:\n\(tmux.screen())")
        try tmux.line("echo s3cr3t")
        try #require(tmux.waitFor("\ns3cr3t"), "no echo:\n\(tmux.screen())")
        try tmux.line("read -p \"Password: \" x; echo got-${#x}")
        try #require(tmux.waitFor("Password: "), "no password prompt:\n\(tmux.screen())")
        try tmux.line("pw-hunter-77")
        try #require(tmux.waitFor("got-12"), "read did not return:\n\(tmux.screen())")
        try tmux.line(":quit")
        try #require(tmux.waitFor("[exited 0]"), "the lab did not exit:\n\(tmux.screen())")

        let file = try String(contentsOfFile: cast, encoding: .utf8)
        #expect(!file.contains("s3cr3t"))
        #expect(!file.contains("pw-hunter"))
        #expect(!file.contains("hunter-77"))
        #expect(file.contains("echo [REDACTED]"), "the command marker and the echo keep the line, redacted")
        #expect(file.contains("************"), "the typed password is masked, one * per character")
        let r = try BerthProcess.runProcess(BerthProcess.binary, ["lab", "grade", "--csv", base + "/class"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let row = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("redacted.cast,") })
        #expect(row.split(separator: ",", omittingEmptySubsequences: false)[9] == "intact", "\(row)")
    }
}
