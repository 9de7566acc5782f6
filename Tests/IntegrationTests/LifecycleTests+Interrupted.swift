import BerthTestSupport
import Foundation
import Testing

extension LifecycleTests {
    /// `kill -9` of the CLI at any moment of `run -d` or `start` leaves a container that is
    /// running, or cleanly "created" (no exit code, no error, `start` runs it), or nothing;
    /// and `rm -f` then leaves no directory, layer or run dir behind.
    @Test("a CLI killed mid run -d or start leaves consistent states that rm -f clears")
    func killedCLI() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "--name", "warm", "busybox")  // builds the seed image before timing matters
            try berth.run("rm", "warm")
            let delays = [10, 30, 60, 100, 150, 200, 300]
            for (i, ms) in delays.enumerated() {
                let run = try berth.spawn("run", "-d", "--name", "k\(i)", "busybox", "sleep", "60")
                usleep(UInt32(ms * 1000))
                kill(run.pid, SIGKILL)
                run.wait()
                try berth.run("create", "--name", "s\(i)", "busybox", "sleep", "60")
                let start = try berth.spawn("start", "s\(i)")
                usleep(UInt32(ms * 1000))
                kill(start.pid, SIGKILL)
                start.wait()
            }
            // Monitors of aborted starts clean up on their own; give them a moment.
            usleep(500_000)
            for name in delays.indices.flatMap({ ["k\($0)", "s\($0)"] }) {
                let state = try berth.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} [{{.State.Error}}]", name)
                guard state.status == 0 else {
                    #expect(name.hasPrefix("k"), "\(name) vanished")
                    continue
                }
                #expect(["running 0 []", "created 0 []"].contains(state.trimmed), "\(name): \(state.trimmed)")
                if state.trimmed.hasPrefix("created") {
                    #expect(try berth.run("start", name).status == 0, "\(name) starts")
                    #expect(try berth.run("inspect", "-f", "{{.State.Status}}", name).trimmed == "running")
                }
            }
            let ids = try berth.run("ps", "-aq").lines
            #expect(try berth.run(["rm", "-f"] + ids).status == 0)
            #expect(try berth.run("ps", "-aq").lines.isEmpty)
            let leftovers = [berth.paths.containers, berth.paths.run, berth.paths.root + "/image/overlay2/layerdb/mounts"]
                .flatMap { dir in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.count == 64 } }
            #expect(leftovers.isEmpty, "\(leftovers)")
            let bridge = (try? String(contentsOfFile: berth.paths.network + "/bridge.json", encoding: .utf8)) ?? ""
            #expect(!bridge.contains("\"Allocations\":{\""), "addresses still allocated: \(bridge)")
            // A create killed after making its directory but before writing the record.
            let orphan = berth.paths.container(String(repeating: "ab", count: 32))
            try FileManager.default.createDirectory(atPath: orphan, withIntermediateDirectories: true)
            #expect(try berth.run("ps", "-aq").lines.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: orphan))
        }
    }
}
