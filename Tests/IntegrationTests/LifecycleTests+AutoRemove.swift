import BerthTestSupport
import Foundation
import Testing

/// `--rm` containers through restart, start -a, wait and failed starts, as Docker treats them.
extension LifecycleTests {
    @Test("restart of a --rm container restarts it; stop then removes it")
    func restartAutoRemove() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--rm", "--name", "rr", "busybox", "sleep", "100")
            let r = try berth.run("restart", "-t", "1", "rr")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "rr").trimmed == "running")
            #expect(try berth.run("stop", "-t", "1", "rr").status == 0)
            #expect(try berth.run("ps", "-a", "-q").trimmed.isEmpty)
        }
    }

    @Test("start -a of a --rm container returns its exit code; wait on a running one prints it")
    func startAttachAndWaitAutoRemove() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "--rm", "--name", "ca", "busybox", "sh", "-c", "echo out; exit 7")
            let started = try berth.run("start", "-a", "ca")
            #expect(started.status == 7)
            #expect(started.stdout == "out\n")
            try berth.run("run", "-d", "--rm", "--name", "wt", "busybox", "sh", "-c", "sleep 1; exit 9")
            let waited = try berth.run("wait", "wt")
            #expect(waited.status == 0, "\(waited.stderr)")
            #expect(waited.trimmed == "9")
            #expect(try berth.run("ps", "-a", "-q").trimmed.isEmpty)
        }
    }

    @Test("run --rm whose start fails leaves no container")
    func failedStartAutoRemove() throws {
        try withTemporaryStateRoot { berth in
            let badUser = try berth.run("run", "--rm", "--user", "nosuchuser", "busybox", "true")
            #expect(badUser.status != 0)
            #expect(badUser.stderr.contains("nosuchuser"), "\(badUser.stderr)")
            let badCommand = try berth.run("run", "--rm", "busybox", "/nonexistent")
            #expect(badCommand.status == 127)
            let detached = try berth.run("run", "-d", "--rm", "--user", "nosuchuser", "busybox", "true")
            #expect(detached.status != 0)
            #expect(try berth.run("ps", "-a", "-q").trimmed.isEmpty)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: berth.paths.root + "/containers")
            #expect(leftovers.isEmpty, "\(leftovers)")
        }
    }
}
