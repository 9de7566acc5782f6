import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// docker/cli's semantics around several names, flags and names with a slash.
extension LifecycleTests {
    @Test("several names: the good ones act, only the missing one is named; rm -f of a missing one exits 0")
    func severalNames() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "--name", "c1", "busybox", "sleep", "100")
            try berth.run("create", "--name", "/c2", "busybox", "sleep", "100")  // the slash is stripped
            let start = try berth.run("start", "c2", "nosuch", "c1")
            #expect(start.status == 1)
            #expect(start.lines == ["c2", "c1"])
            #expect(start.stderr == "Error response from daemon: No such container: nosuch\nError: failed to start containers: nosuch\n")
            let stop = try berth.run("stop", "--timeout", "1", "-s", "KILL", "c1", "nosuch")
            #expect(stop.status == 1)
            #expect(stop.lines == ["c1"])
            #expect(try berth.run("inspect", "-f", "{{.State.ExitCode}}", "c1").trimmed == "137")  // -s KILL
            let bad = try berth.run("stop", "-t", "x", "c2")
            #expect(bad.status == 125)
            #expect(bad.stderr.hasPrefix("invalid argument \"x\" for \"-t, --timeout\" flag: strconv.ParseInt: parsing \"x\": invalid syntax\n\nUsage:  docker stop"))
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "c2").trimmed == "running")
            let rm = try berth.run("rm", "-f", "nosuch")
            #expect(rm.status == 0)
            #expect(rm.stderr == "Error response from daemon: No such container: nosuch\n")
            #expect(try berth.run("rm", "nosuch").status == 1)
        }
    }

    @Test("rename: Docker's words for the same name and a taken one; a leading slash is stripped")
    func renameErrors() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("create", "--name", "r1", "busybox").trimmed
            try berth.run("create", "--name", "r2", "busybox")
            let same = try berth.run("rename", "r1", "r1")
            #expect(same.status == 1)
            #expect(same.stderr == "Error response from daemon: Renaming a container with the same name as its current name\n")
            let taken = try berth.run("rename", "r2", "r1")
            #expect(taken.stderr == "Error response from daemon: Error when allocating new name: Conflict. The container name \"/r1\" is already in use by container \"\(id)\". You have to remove (or rename) that container to be able to reuse that name.\n")
            #expect(try berth.run("rename", "r2", "/r3").status == 0)
            #expect(try berth.run("ps", "-a", "--format", "{{.Names}}").lines.sorted() == ["r1", "r3"])
        }
    }

    @Test("container inspect finds containers only, image inspect images only; -it needs a TTY; logs --tail -1; -v ./rel")
    func kindsTTYAndPaths() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--name", "k1", "busybox", "sleep", "100")
            let ci = try berth.run("container", "inspect", "busybox")
            #expect(ci.status == 1)
            #expect(ci.stderr == "Error: No such container: busybox\n")
            #expect(ci.trimmed == "[]")
            let ii = try berth.run("image", "inspect", "k1")
            #expect(ii.status == 1)
            #expect(ii.stderr.hasPrefix("Error: No such image: k1"))
            #expect(ii.trimmed == "[]")
            let tty = try berth.run("run", "-it", "busybox", "true")
            #expect(tty.status == 1)
            #expect(tty.stderr == "the input device is not a TTY\n")
            #expect(try berth.run("ps", "-a", "-q").lines.count == 1)  // nothing created
            #expect(try berth.run("exec", "-it", "k1", "true").stderr == "the input device is not a TTY\n")

            try berth.run("run", "--name", "l1", "busybox", "sh", "-c", "echo a; echo b")
            #expect(try berth.run("logs", "--tail", "-1", "l1").stdout == "a\nb\n")

            let scratch = (berth.paths.root as NSString).deletingLastPathComponent
            try ensureDirectory(scratch + "/rel")
            try "here\n".write(toFile: scratch + "/rel/f", atomically: true, encoding: .utf8)
            let r = try BerthProcess.runProcess(
                "/bin/sh", ["-c", "cd \(scratch) && exec \"$0\" run --rm -v ./rel:/data busybox cat /data/f", BerthProcess.binary],
                environment: berth.environment)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout == "here\n")
        }
    }

    @Test("top: the container's processes only, in ps's columns; ps options passed on; a stopped one refused")
    func top() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--name", "tp", "busybox", "sh", "-c", "sleep 101 & sleep 202")
            let initPid = try berth.run("inspect", "-f", "{{.State.Pid}}", "tp").trimmed
            let top = try berth.run("top", "tp")
            #expect(top.status == 0, "\(top.stderr)")
            #expect(top.lines.first?.split(separator: " ") == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"])
            #expect(top.lines.dropFirst().map { $0.split(separator: " ").last.map(String.init) ?? "" }.sorted() == ["101", "202"])
            #expect(top.lines.contains { $0.split(separator: " ")[1] == initPid })
            let custom = try berth.run("container", "top", "tp", "-o", "pid,args")
            #expect(custom.lines.dropFirst().map { $0.split(separator: " ").dropFirst().joined(separator: " ") }.sorted() == ["sleep 101", "sleep 202"])
            let id = try berth.run("create", "busybox").trimmed
            let stopped = try berth.run("top", id)
            #expect(stopped.status == 1)
            #expect(stopped.stderr == "Error response from daemon: container \(id) is not running\n")
        }
    }
}
