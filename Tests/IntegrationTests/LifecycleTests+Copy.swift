import BerthTestSupport
import Foundation
import Testing

extension LifecycleTests {
    @Test("cp with - streams a tar out and extracts one in, safely; -L follows, -a keeps owners")
    func copyStreams() throws {
        try withTemporaryStateRoot { berth in
            let tmp = berth.paths.root + "/../cpstream"
            try FileManager.default.createDirectory(atPath: tmp + "/in/d", withIntermediateDirectories: true)
            try "hi\n".write(toFile: tmp + "/in/d/f", atomically: true, encoding: .utf8)
            let bin = BerthProcess.binary
            func sh(_ command: String) throws -> BerthProcess.Result {
                try BerthProcess.runProcess("/bin/sh", ["-c", command], environment: berth.environment)
            }
            try berth.run("run", "-d", "--name", "c1", "busybox", "sh", "-c", "ln -s /etc/hostname /tmp/hl; adduser -D -u 1234 u; touch /tmp/own; chown 1234:1234 /tmp/own; sleep 60")
            #expect(try waitUntil(10) { try berth.run("exec", "c1", "test", "-e", "/tmp/own").status == 0 })

            // Out: a file is one entry named by its base name, a directory a tree, `SRC/.` its contents.
            #expect(try sh("'\(bin)' cp c1:/etc/hostname - | tar tf -").trimmed == "hostname")
            #expect(try sh("'\(bin)' cp c1:/etc - | tar tf -").lines.contains("etc/passwd"))
            #expect(try sh("'\(bin)' cp c1:/etc/. - | tar tf -").lines.contains("./passwd"))
            #expect(try sh("'\(bin)' cp c1:/tmp/hl - | tar tvf -").stdout.contains("hl -> /etc/hostname"))
            let followed = try sh("'\(bin)' cp -L c1:/tmp/hl - | tar xOf - hl").trimmed
            #expect(followed == (try berth.run("exec", "c1", "cat", "/etc/hostname").trimmed))
            #expect(try sh("'\(bin)' cp c1:/tmp/own - | tar tvf -").stdout.contains("1234/1234"))

            // In: extracted into an existing directory.
            #expect(try sh("tar cf - -C '\(tmp)/in' d | '\(bin)' cp - c1:/tmp").status == 0)
            #expect(try berth.run("exec", "c1", "cat", "/tmp/d/f").trimmed == "hi")
            for dst in ["/etc/hostname", "/nope"] {
                let r = try sh("tar cf - -C '\(tmp)/in' d | '\(bin)' cp - c1:\(dst)")
                #expect(r.status == 1)
                #expect(r.stderr.contains("destination \"c1:\(dst)\" must be a directory"))
            }
            // A directory is never replaced by a file nor the reverse (Docker's NoOverwriteDirNonDir).
            try berth.run("exec", "c1", "mkdir", "-p", "/tmp/dd/sub")
            #expect(try sh("cd '\(tmp)' && mkdir -p t && echo x > t/dd && tar cf dd.tar -C t dd").status == 0)
            let clash = try sh("'\(bin)' cp - c1:/tmp < '\(tmp)/dd.tar'")
            #expect(clash.status == 1)
            #expect(clash.stderr.contains("cannot overwrite directory \"/tmp/dd\" with non-directory \"/tmp\""))
            #expect(try berth.run("exec", "c1", "test", "-d", "/tmp/dd/sub").status == 0)
            // Hostile archives: `..`, and a symlink to / then a file through it, change nothing.
            #expect(try sh("cd '\(tmp)' && ln -s / evil && mkdir -p x && echo pwned > x/f && tar cf bad1.tar evil && tar rf bad1.tar --transform 's,^x,evil,' x/f && tar cf bad2.tar --transform 's,^x,../../..,' x/f").status == 0)
            for bad in ["bad1.tar", "bad2.tar"] {
                let r = try sh("'\(bin)' cp - c1:/tmp < '\(tmp)/\(bad)'")
                #expect(r.status != 0, "\(bad)")
            }
            #expect(!FileManager.default.fileExists(atPath: "/f"))
            #expect(try berth.run("exec", "c1", "sh", "-c", "ls /f /etc/f /tmp/evil/f 2>&1; cat /tmp/evil 2>&1").stdout.contains("pwned") == false)

            // -a keeps the source's owner on a copy to the host; without it the copy is the caller's.
            #expect(try berth.run("cp", "-a", "c1:/tmp/own", tmp + "/own-a").status == 0)
            #expect(try berth.run("cp", "c1:/tmp/own", tmp + "/own").status == 0)
            let owner = { (p: String) in (try? FileManager.default.attributesOfItem(atPath: p)[.ownerAccountID] as? Int) ?? -1 }
            #expect(owner(tmp + "/own-a") == 1234)
            #expect(owner(tmp + "/own") == Int(getuid()))
            // Into a container the source's owner stays; -a gives the copy the container's USER.
            try berth.run("run", "-d", "--name", "c2", "-u", "1234:1234", "busybox", "sleep", "60")
            #expect(chown(tmp + "/in/d/f", 4321, 4321) == 0)
            #expect(try berth.run("cp", tmp + "/in/d/f", "c2:/tmp/plain").status == 0)
            #expect(try berth.run("cp", "-a", tmp + "/in/d/f", "c2:/tmp/archived").status == 0)
            #expect(try sh("tar cf - -C '\(tmp)/in/d' f | '\(bin)' cp -a - c2:/tmp/").status == 0)
            let owners = try berth.run("exec", "c2", "stat", "-c", "%n %u:%g", "/tmp/plain", "/tmp/archived", "/tmp/f").lines
            #expect(owners == ["/tmp/plain 4321:4321", "/tmp/archived 1234:1234", "/tmp/f 1234:1234"])

            // A stopped container, through its layer, both ways.
            try berth.run("stop", "-t", "0", "c1")
            #expect(try sh("'\(bin)' cp c1:/tmp/d - | tar tf -").lines == ["d/", "d/f"])
            #expect(try sh("tar cf - -C '\(tmp)/in/d' f | '\(bin)' cp - c1:/").status == 0)
            #expect(try sh("'\(bin)' cp c1:/f - | tar xOf -").trimmed == "hi")
            #expect(HostSnapshot.capture(berth).mounts.isEmpty)
        }
    }
}
