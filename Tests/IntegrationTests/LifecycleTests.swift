import BerthTestSupport
import Foundation
import Testing

/// The lifecycle chapter, command by command, on real containers.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces and overlay mounts"))
struct LifecycleTests {
    @Test("run prints the command's output and returns its exit code")
    func runOutputAndExitCode() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run("run", "--rm", "busybox", "sh", "-c", "echo hello; echo oops >&2; exit 3")
            #expect(r.status == 3)
            #expect(r.stdout == "hello\n")
            #expect(r.stderr == "oops\n")
            #expect(try berth.run("ps", "-a", "-q").trimmed.isEmpty)  // --rm removed it
        }
    }

    @Test("PID 1 is the command, the hostname is the short ID, eth0 absent, lo up")
    func isolation() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("run", "-d", "busybox", "sleep", "30").trimmed
            #expect(id.count == 64)
            let ps = try berth.run("exec", id, "ps", "-o", "pid,args")
            #expect(ps.lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("1 sleep 30") }, "\(ps.stdout)")
            #expect(try berth.run("exec", id, "hostname").trimmed == String(id.prefix(12)))
            let inspect = try berth.run("inspect", "-f", "{{.State.Status}} {{.State.Running}} {{.Path}}", id)
            #expect(inspect.trimmed == "running true sleep")
        }
    }

    @Test("a file written in a container stays in its layer: not in the image, not on the host")
    func containerLayerIsolation() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run("run", "--name", "w1", "busybox", "sh", "-c", "echo data > /marker && cat /marker")
            #expect(r.trimmed == "data")
            #expect(!FileManager.default.fileExists(atPath: "/marker"))
            let again = try berth.run("run", "--rm", "busybox", "ls", "/marker")
            #expect(again.status != 0)
            let upper = try berth.run("inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", "w1").trimmed
            #expect(FileManager.default.fileExists(atPath: upper + "/marker"))
        }
    }

    @Test("create, start, stop, restart, kill, wait and the states they leave")
    func lifecycle() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("create", "--name", "life", "busybox", "sleep", "1000").trimmed
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "life").trimmed == "created")
            #expect(try berth.run("start", "life").trimmed == "life")
            #expect(try berth.run("ps", "-q").trimmed == String(id.prefix(12)))
            // sleep as PID 1 ignores SIGTERM, so stop -t 1 ends with SIGKILL: exit 137.
            #expect(try berth.run("stop", "-t", "1", "life").status == 0)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "life").trimmed == "exited 137")
            #expect(try berth.run("restart", "life").status == 0)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "life").trimmed == "running")
            #expect(try berth.run("kill", "life").status == 0)
            #expect(try berth.run("wait", "life").trimmed == "137")
            let k = try berth.run("kill", "life")
            #expect(k.status == 1)
            #expect(k.stderr.contains("is not running"))
        }
    }

    @Test("stop sends SIGTERM first: a shell that traps it exits cleanly")
    func stopSendsTerm() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--name", "t1", "busybox", "sh", "-c", "trap 'exit 7' TERM; while :; do sleep 0.1; done")
            let start = Date()
            #expect(try berth.run("stop", "t1").status == 0)
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(try berth.run("inspect", "-f", "{{.State.ExitCode}}", "t1").trimmed == "7")
        }
    }

    @Test("rm refuses a running container, rm -f removes it, several at once, by prefix")
    func removal() throws {
        try withTemporaryStateRoot { berth in
            let a = try berth.run("run", "-d", "--name", "a1", "busybox", "sleep", "100").trimmed
            try berth.run("create", "--name", "b1", "busybox")
            let refused = try berth.run("rm", "a1")
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("container is running: stop the container before removing or force remove"))
            let removed = try berth.run("rm", "-f", String(a.prefix(4)), "b1")
            #expect(removed.status == 0)
            #expect(removed.lines == [String(a.prefix(4)), "b1"])
            #expect(try berth.run("ps", "-a", "-q").trimmed.isEmpty)
            #expect(HostSnapshot.capture(berth).monitors.isEmpty)
        }
    }

    @Test("errors in Docker's words and exit codes")
    func errors() throws {
        try withTemporaryStateRoot { berth in
            let missing = try berth.run("inspect", "nope")
            #expect(missing.status == 1)
            #expect(missing.stderr == "Error: No such object: nope\n")
            #expect(missing.stdout == "[]\n")
            let rmMissing = try berth.run("rm", "nope")
            #expect(rmMissing.status == 1)
            #expect(rmMissing.stderr == "Error response from daemon: No such container: nope\n")

            try berth.run("create", "--name", "dup", "busybox")
            let dup = try berth.run("create", "--name", "dup", "busybox")
            #expect(dup.status == 1)  // docker create returns the daemon's refusal as is
            #expect(dup.stderr.hasPrefix("Error response from daemon: Conflict. The container name \"/dup\" is already in use by container"))
            // docker run reports the same refusal its own way: "docker: ", a period, the help line, 125.
            let runDup = try berth.run("run", "--name", "dup", "busybox", "true")
            #expect(runDup.status == 125)
            #expect(runDup.stderr.hasPrefix("docker: Error response from daemon: Conflict."), "\(runDup.stderr)")
            #expect(runDup.stderr.hasSuffix("reuse that name.\nSee 'docker run --help'.\n"), "\(runDup.stderr)")

            let badRef = try berth.run("create", "bad ref")
            #expect(badRef.status == 1)  // 125 is docker run's; docker create exits 1
            #expect(badRef.stderr == "invalid reference format\n")

            let containersBefore = try berth.run("ps", "-a", "-q").lines
            let notFound = try berth.run("run", "--rm", "busybox", "nope")
            #expect(notFound.status == 127)
            #expect(notFound.stderr.contains("exec: \"nope\": executable file not found in $PATH"))
            #expect(notFound.stderr.hasPrefix("docker: Error response from daemon: "), "\(notFound.stderr)")
            #expect(!notFound.stderr.contains("See 'docker run --help'"))  // a start failure: no help line

            let notExec = try berth.run("run", "--rm", "busybox", "/etc/passwd")
            #expect(notExec.status == 126)
            #expect(try berth.run("ps", "-a", "-q").lines == containersBefore)  // --rm: gone, though never started

            // A process that never started leaves the container "created", as Docker does.
            #expect(try berth.run("run", "--name", "badcmd", "busybox", "nope").status == 127)
            let state = try berth.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}}", "badcmd")
            #expect(state.trimmed == "created 127 0")
            #expect(try berth.run("inspect", "-f", "{{.State.Error}}", "badcmd").trimmed.hasPrefix("failed to create task"))
            #expect(try berth.run("ps", "-a", "--format", "{{.Names}} {{.Status}}").lines.contains("badcmd Created"))
            #expect(try berth.run("start", "badcmd").status == 1)
            #expect(try berth.run("inspect", "-f", "{{.State.Status}}", "badcmd").trimmed == "created")
            #expect(try berth.run("rm", "badcmd").status == 0)

            let typo = try berth.run("run", "-name", "x", "busybox")
            #expect(typo.status == 125)
            #expect(typo.stderr.contains("unknown shorthand flag: 'n' in -name"))

            let image = try berth.run("run", "nosuchimage")
            #expect(image.status == 125)
            #expect(image.stderr.contains("Unable to find image 'nosuchimage:latest' locally"))
        }
    }

    @Test("ID prefixes: unique prefix works, ambiguous prefix is an error")
    func prefixes() throws {
        try withTemporaryStateRoot { berth in
            var ids: [String] = []
            // 17 containers guarantee two share a first hex digit.
            for _ in 0..<17 { ids.append(try berth.run("create", "busybox").trimmed) }
            let firstChars = Dictionary(grouping: ids, by: { $0.prefix(1) })
            let shared = firstChars.first { $0.value.count > 1 }!.key
            let ambiguous = try berth.run("inspect", "-f", "{{.Id}}", "--type", "container", String(shared))
            #expect(ambiguous.status == 1)
            let unique = ids.first { id in ids.filter { $0.hasPrefix(id.prefix(4)) }.count == 1 }!
            #expect(try berth.run("inspect", "-f", "{{.Id}}", String(unique.prefix(4))).trimmed == unique)
            let rm = try berth.run("rm", String(shared))
            #expect(rm.stderr.contains("multiple IDs found with provided prefix: \(shared)"))
        }
    }

    @Test("rename, random names, and ps formats")
    func namesAndFormats() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("create", "busybox", "echo", "hi").trimmed
            let name = try berth.run("inspect", "-f", "{{.Name}}", id).trimmed
            #expect(name.range(of: #"^/[a-z]+_[a-z]+[0-9]?$"#, options: .regularExpression) != nil)
            #expect(try berth.run("rename", id, "first").status == 0)
            try berth.run("create", "--name", "second", "busybox")
            let clash = try berth.run("rename", "first", "second")
            #expect(clash.status == 1)
            let table = try berth.run("ps", "-a", "--format", "table {{.ID}}\t{{.Status}}\t{{.Names}}")
            #expect(table.lines.first?.hasPrefix("CONTAINER ID   STATUS    NAMES") == true, "\(table.stdout)")
            #expect(table.lines.count == 3)
            let plain = try berth.run("ps", "-a", "--format", "{{.Names}}:{{.Command}}")
            #expect(Set(plain.lines) == ["first:\"echo hi\"", "second:\"sh\""])
            let bad = try berth.run("ps", "--format", "{{.Images}}")
            #expect(bad.status != 0 || bad.stdout.isEmpty)
        }
    }

    @Test("logs: json-file, --tail, -t, -f")
    func logs() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "--name", "l1", "busybox", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done")
            #expect(try berth.run("logs", "l1").lines == ["line1", "line2", "line3", "line4", "line5"])
            #expect(try berth.run("logs", "--tail", "2", "l1").lines == ["line4", "line5"])
            let stamped = try berth.run("logs", "-t", "--tail", "1", "l1").trimmed
            #expect(stamped.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line5$"#, options: .regularExpression) != nil)
            try berth.run("run", "-d", "--name", "f1", "busybox", "sh", "-c", "echo a; sleep 0.5; echo b")
            #expect(try berth.run("logs", "-f", "f1").lines == ["a", "b"])
        }
    }

    @Test("diff lists what the container added, changed and deleted, running or stopped")
    func diff() throws {
        try withTemporaryStateRoot { berth in
            let script = "touch /tmp/new; echo x >> /etc/passwd; rm /bin/vi; mkdir -p /a/b; echo ready; sleep 60"
            try berth.run("run", "-d", "--name", "d1", "busybox", "sh", "-c", script)
            #expect(waitUntil(10) { (try? berth.run("logs", "d1").trimmed) == "ready" })
            let expected = ["A /a", "A /a/b", "C /bin", "D /bin/vi", "C /etc", "C /etc/passwd", "C /tmp", "A /tmp/new"]
            #expect(try berth.run("diff", "d1").lines == expected)
            try berth.run("stop", "-t", "0", "d1")
            #expect(try berth.run("container", "diff", "d1").lines == expected)
            try berth.run("create", "--name", "fresh", "busybox")
            #expect(try berth.run("diff", "fresh").stdout.isEmpty)
            let missing = try berth.run("diff", "nosuch")
            #expect(missing.status == 1 && missing.stderr == "Error response from daemon: No such container: nosuch\n")
        }
    }

    @Test("env, workdir, user, hostname, entrypoint and bind mounts")
    func runFlags() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run(
                "run", "--rm", "-e", "FOO=bar", "-w", "/tmp/work", "-u", "nobody", "--hostname", "box", "busybox",
                "sh", "-c", "echo $FOO $(pwd) $(id -u) $(hostname)")
            #expect(r.trimmed == "bar /tmp/work 65534 box")
            // The primary group and /etc/group's memberships, as runc sets them for Docker.
            #expect(try berth.run("run", "--rm", "busybox", "id").trimmed == "uid=0(root) gid=0(root) groups=0(root),10(wheel)")
            #expect(try berth.run("run", "--rm", "-u", "nobody", "busybox", "id").trimmed
                == "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)")
            let ep = try berth.run("run", "--rm", "--entrypoint", "echo", "busybox", "via", "entrypoint")
            #expect(ep.trimmed == "via entrypoint")
            let dir = berth.paths.root + "/../bind"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try "from host\n".write(toFile: dir + "/in.txt", atomically: true, encoding: .utf8)
            let b = try berth.run("run", "--rm", "-v", "\(dir):/data", "busybox", "sh", "-c", "cat /data/in.txt; echo out > /data/out.txt")
            #expect(b.trimmed == "from host")
            #expect(try String(contentsOfFile: dir + "/out.txt", encoding: .utf8) == "out\n")
            let ro = try berth.run("run", "--rm", "-v", "\(dir):/data:ro", "busybox", "touch", "/data/x")
            #expect(ro.status != 0)
            #expect(!FileManager.default.fileExists(atPath: dir + "/x"))
        }
    }

    @Test("run -i passes stdin through; exec -i too")
    func stdinPipes() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run(["run", "-i", "--rm", "busybox", "sh", "-c", "tr a-z A-Z"], input: "shout\n")
            #expect(r.trimmed == "SHOUT")
            try berth.run("run", "-d", "--name", "e1", "busybox", "sleep", "60")
            let e = try berth.run(["exec", "-i", "e1", "wc", "-l"], input: "1\n2\n3\n")
            #expect(e.trimmed == "3")
            let missing = try berth.run("exec", "e1", "nope")
            #expect(missing.status == 127)
            #expect(try berth.run("exec", "e1", "sh", "-c", "exit 5").status == 5)
            #expect(try berth.run("exec", "-e", "X=1", "-w", "/tmp", "e1", "sh", "-c", "echo $X $(pwd)").trimmed == "1 /tmp")
        }
    }

    @Test("cp both ways; container to container is refused")
    func copy() throws {
        try withTemporaryStateRoot { berth in
            let tmp = berth.paths.root + "/../cp"
            try FileManager.default.createDirectory(atPath: tmp + "/tree/sub", withIntermediateDirectories: true)
            try "one\n".write(toFile: tmp + "/tree/sub/f.txt", atomically: true, encoding: .utf8)
            try berth.run("run", "-d", "--name", "c1", "busybox", "sleep", "60")
            #expect(try berth.run("cp", tmp + "/tree", "c1:/tmp/").status == 0)
            #expect(try berth.run("exec", "c1", "cat", "/tmp/tree/sub/f.txt").trimmed == "one")
            #expect(try berth.run("cp", "c1:/etc/hostname", tmp + "/hn").status == 0)
            #expect(try String(contentsOfFile: tmp + "/hn", encoding: .utf8).count == 13)
            let both = try berth.run("cp", "c1:/a", "c1:/b")
            #expect(both.status == 1)
            #expect(both.stderr.contains("copying between containers is not supported"))
            let missing = try berth.run("cp", "c1:/nope", tmp + "/x")
            #expect(missing.stderr.contains("Could not find the file /nope in container c1"))
            // A stopped container: through its layer.
            try berth.run("stop", "-t", "0", "c1")
            #expect(try berth.run("cp", "c1:/tmp/tree/sub/f.txt", tmp + "/back.txt").status == 0)
            #expect(try String(contentsOfFile: tmp + "/back.txt", encoding: .utf8) == "one\n")
            #expect(HostSnapshot.capture(berth).mounts.isEmpty)
        }
    }

    @Test("container prune removes stopped containers only")
    func prune() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "--name", "done1", "busybox", "true")
            try berth.run("create", "--name", "new1", "busybox")
            try berth.run("run", "-d", "--name", "up", "busybox", "sleep", "60")
            let r = try berth.run("container", "prune", "-f")
            #expect(r.stdout.contains("Deleted Containers:"))
            #expect(try berth.run("ps", "-a", "--format", "{{.Names}}").lines == ["up"])
        }
    }
}
