import BerthTestSupport
import Foundation
import Testing

/// Nothing outlives a container: no mount, monitor process or run-dir file.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces and overlay mounts"))
struct LeakTests {
    @Test("100 × run --rm true and 20 × run -d + rm -f leave nothing behind")
    func noLeaks() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "--rm", "busybox", "true")  // seeds the image first
            let before = HostSnapshot.capture(berth)
            for _ in 0..<100 {
                let r = try berth.run("run", "--rm", "busybox", "true")
                #expect(r.status == 0, "\(r.stderr)")
            }
            for i in 0..<20 {
                let r = try berth.run("run", "-d", "--name", "d\(i)", "busybox", "sleep", "60")
                #expect(r.status == 0, "\(r.stderr)")
            }
            let ids = try berth.run("ps", "-a", "-q", "--no-trunc").lines
            #expect(ids.count == 20)
            // each running container has its directory in every hierarchy Berth uses
            let cgroups = ids.flatMap(cgroupDirectories).filter { FileManager.default.fileExists(atPath: $0) }
            #expect(Set(cgroups.map { ($0 as NSString).lastPathComponent }) == Set(ids), "\(cgroups)")
            #expect(try berth.run(["rm", "-f"] + ids).status == 0)
            let after = HostSnapshot.capture(berth)
            #expect(after == before, "\(after)")
            #expect(after.monitors.isEmpty && after.runFiles.isEmpty && after.mounts.isEmpty)
            let layers = try FileManager.default.contentsOfDirectory(atPath: berth.paths.root + "/overlay2")
            #expect(layers.sorted() == ["l", try singleImageLayer(berth)].sorted(), "container layers left: \(layers)")
            let left = cgroups.filter { FileManager.default.fileExists(atPath: $0) }
            #expect(left.isEmpty, "cgroups left: \(left)")
        }
    }

    /// Where a container's cgroup can be: berth/<id> under /sys/fs/cgroup (pure v2) and under
    /// every hierarchy mounted below it (v1 controllers, the hybrid host's unified one).
    func cgroupDirectories(_ id: String) -> [String] {
        let root = "/sys/fs/cgroup"
        let hierarchies = [root] + ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).map { root + "/" + $0 }
        return hierarchies.map { $0 + "/berth/" + id }
    }

    /// The busybox image has exactly one layer directory.
    func singleImageLayer(_ berth: BerthProcess) throws -> String {
        let db = berth.paths.root + "/image/overlay2/layerdb/sha256"
        let chain = try FileManager.default.contentsOfDirectory(atPath: db).first!
        return try String(contentsOfFile: db + "/" + chain + "/cache-id", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("kill -9 of the monitor: ps -a still lists the container and rm -f cleans up")
    func monitorCrash() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run("run", "-d", "--name", "crash", "busybox", "sleep", "100")
            try #require(r.status == 0, "\(r.stderr)")
            let monitors = HostSnapshot.capture(berth).monitors
            try #require(monitors.count == 1)
            kill(monitors[0], SIGKILL)
            #expect(waitUntil(5) { HostSnapshot.capture(berth).monitors.isEmpty })
            let ps = try berth.run("ps", "-a", "--format", "{{.Names}} {{.State}}")
            #expect(ps.trimmed == "crash running")
            #expect(try berth.run("rm", "-f", "crash").status == 0)
            #expect(try berth.run("ps", "-a", "-q").trimmed.isEmpty)
            let snap = HostSnapshot.capture(berth)
            #expect(snap.mounts.isEmpty && snap.runFiles.isEmpty)
            // init (sleep 100) is gone too: nothing in the host's process table runs it.
            #expect(!processTableContains("sleep 100"))
        }
    }

    func processTableContains(_ cmdline: String) -> Bool {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard Int32(entry) != nil, let d = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline")) else { continue }
            let s = d.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
            if s == cmdline { return true }
        }
        return false
    }
}

@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces and overlay mounts"))
struct ConcurrencyTests {
    @Test("8 parallel run -d with distinct names all succeed")
    func parallelRuns() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "busybox")  // seed once
            let results = LockedResults()
            DispatchQueue.concurrentPerform(iterations: 8) { i in
                let r = try? berth.run("run", "-d", "--name", "p\(i)", "busybox", "sleep", "30")
                results.append(r?.status ?? -1)
            }
            #expect(results.values == Array(repeating: 0, count: 8))
            #expect(try berth.run("ps", "-q").lines.count == 8)
        }
    }

    @Test("two create --name same in parallel: exactly one wins")
    func nameRace() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "busybox")
            let results = LockedResults()
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                let r = try? berth.run("create", "--name", "same", "busybox")
                results.append(r?.status ?? -1)
            }
            #expect(results.values.sorted() == [0, 1])
        }
    }
}

final class LockedResults: @unchecked Sendable {
    private let lock = NSLock()
    private var _values: [Int32] = []
    func append(_ v: Int32) { lock.withLock { _values.append(v) } }
    var values: [Int32] { lock.withLock { _values } }
}
