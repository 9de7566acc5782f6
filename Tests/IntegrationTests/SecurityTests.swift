import BerthTestSupport
import Foundation
import Testing

/// Issue 8: containers are as confined as Docker's by default. Every check runs in a real
/// container; syscalls are probed directly by a small static C program (Probes/).
/// `--network none` keeps these tests about confinement, independent of the bridge.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces, cgroups, seccomp"))
struct SecurityTests {
    static let run = ["run", "--rm", "--network", "none"]

    @Test("grep Cap /proc/self/status shows Docker's default masks, in run and in exec")
    func defaultCapabilities() throws {
        let expected = ["CapInh:\t0000000000000000", "CapPrm:\t00000000a80425fb", "CapEff:\t00000000a80425fb",
                        "CapBnd:\t00000000a80425fb", "CapAmb:\t0000000000000000"]
        try withTemporaryStateRoot { berth in
            let r = try berth.run(Self.run + ["busybox", "grep", "Cap", "/proc/self/status"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.lines == expected)
            try berth.run("run", "-d", "--name", "caps", "--network", "none", "busybox", "sleep", "60")
            let e = try berth.run("exec", "caps", "grep", "-E", "Cap|Seccomp:", "/proc/self/status")
            #expect(e.lines == expected + ["Seccomp:\t2"], "\(e.stdout)\(e.stderr)")
        }
    }

    @Test("after --cap-drop ALL a chown fails; with the defaults it works")
    func capDropAll() throws {
        try withTemporaryStateRoot { berth in
            let script = "touch /tmp/f && chown 1 /tmp/f"
            let ok = try berth.run(Self.run + ["busybox", "sh", "-c", script])
            #expect(ok.status == 0, "\(ok.stderr)")
            let dropped = try berth.run(Self.run + ["--cap-drop", "ALL", "busybox", "sh", "-c", script])
            #expect(dropped.status != 0)
            #expect(dropped.stderr.contains("Operation not permitted"), "\(dropped.stderr)")
        }
    }

    @Test("--cap-add NET_ADMIN lets ip link add succeed; without it EPERM")
    func capAddNetAdmin() throws {
        try withTemporaryStateRoot { berth in
            let cmd = ["busybox", "ip", "link", "add", "br0", "type", "bridge"]
            let denied = try berth.run(Self.run + cmd)
            #expect(denied.status != 0)
            #expect(denied.stderr.contains("Operation not permitted"), "\(denied.stderr)")
            let allowed = try berth.run(Self.run + ["--cap-add", "NET_ADMIN"] + cmd)
            #expect(allowed.status == 0, "\(allowed.stderr)")
        }
    }

    @Test("dangerous syscalls fail with EPERM (clone3 and ones newer than the profile with ENOSYS); ordinary ones work")
    func syscallProbes() throws {
        let probe = try Self.buildProbe()
        defer { try? FileManager.default.removeItem(atPath: probe) }
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--name", "probe", "--network", "none", "busybox", "sleep", "60")
            let cp = try berth.run("cp", probe, "probe:/probe")
            #expect(cp.status == 0, "\(cp.stderr)")
            let r = try berth.run("exec", "probe", "/probe")
            #expect(r.status == 0, "\(r.stderr)")
            var results: [String: String] = [:]
            for line in r.lines {
                let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { results[kv[0]] = kv[1] }
            }
            for name in ["unshare_user", "unshare_mnt", "mount", "keyctl", "add_key", "request_key", "kexec_load",
                         "swapon", "pivot_root", "reboot", "init_module", "bpf", "userfaultfd", "socket_vsock",
                         "clone_newuser", "clone_newns", "setns", "io_uring_setup"] {
                #expect(results[name] == "EPERM", "\(name): \(results[name] ?? "missing")")
            }
            // newer than the profile: ENOSYS (runc's stub), so libc falls back
            #expect(results["clone3"] == "ENOSYS")
            #expect(results["mseal"] == "ENOSYS", "mseal: \(results["mseal"] ?? "missing")")
            for name in ["clone_plain", "fork", "thread", "socket_inet", "socket_unix", "fchmodat2"] {
                #expect(results[name] == "OK", "\(name): \(results[name] ?? "missing")")
            }
        }
    }

    @Test("busybox httpd serves and ping works with NET_RAW under the filter")
    func ordinaryWork() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "-d", "--name", "web", "--network", "none", "busybox", "httpd", "-f", "-p", "8080", "-h", "/etc")
            let ok = waitUntil(5, "httpd answers") {
                (try? berth.run("exec", "web", "wget", "-q", "-O", "-", "http://127.0.0.1:8080/hostname").status) == 0
            }
            #expect(ok)
            let ping = try berth.run("exec", "web", "ping", "-c", "1", "-W", "2", "127.0.0.1")
            #expect(ping.status == 0, "\(ping.stdout)\(ping.stderr)")
        }
    }

    @Test("masked and read-only paths, read-only /sys, Docker's /dev, as the container's mountinfo shows them")
    func filesystem() throws {
        let masked = ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                      "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                      "/sys/devices/virtual/powercap"]
        let readOnly = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
        try withTemporaryStateRoot { berth in
            let script = """
                for f in \((masked + readOnly).joined(separator: " ")); do [ -e $f ] && echo "exists $f"; done
                for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f $(wc -c < $f)"; done
                [ -d /proc/acpi ] && echo "acpi $(ls /proc/acpi | wc -l)"
                ( echo 1 > /proc/sys/vm/drop_caches ) 2>/dev/null && echo procsys-writable
                touch /sys/x 2>/dev/null && echo sys-writable
                echo dev: $(ls /dev)
                cat /proc/self/mountinfo
                """
            let r = try berth.run(Self.run + ["busybox", "sh", "-c", script])
            #expect(r.status == 0, "\(r.stderr)")
            let mounts = Self.mountinfo(r.stdout)
            let existing = r.lines.filter { $0.hasPrefix("exists ") }.map { String($0.dropFirst(7)) }
            #expect(existing.contains("/proc/keys") && existing.contains("/proc/sys"), "\(r.stdout)")
            #expect(mounts["/sys"]?.options.contains("ro") == true && mounts["/sys"]?.type == "sysfs", "\(r.stdout)")
            for path in readOnly where existing.contains(path) {
                #expect(mounts[path]?.options.contains("ro") == true, "\(path) is not mounted read-only")
            }
            // masked: a file under a bind of the container's /dev/null, a directory under an empty read-only tmpfs
            let dev = try #require(mounts["/dev"])
            for path in masked where existing.contains(path) {
                let m = try #require(mounts[path], "\(path) is not masked")
                let nullBind = m.root == "/null" && m.device == dev.device
                let emptyTmpfs = m.type == "tmpfs" && m.options.contains("ro") && m.superOptions.contains("size=0k")
                #expect(nullBind || emptyTmpfs, "\(path): \(m)")
            }
            for line in r.lines where line.hasPrefix("/proc/") { #expect(line.hasSuffix(" 0"), "not empty: \(line)") }
            #expect(r.lines.contains("/proc/keys 0"))
            #expect(!r.stdout.contains("writable"), "\(r.stdout)")
            if let acpi = r.lines.first(where: { $0.hasPrefix("acpi") }) { #expect(acpi == "acpi 0") }
            #expect(r.lines.contains("dev: core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero"),
                    "\(r.stdout)")
            #expect(mounts["/dev/mqueue"]?.type == "mqueue" && mounts["/dev/pts"]?.type == "devpts", "\(r.stdout)")
            #expect(mounts["/dev/shm"]?.type == "tmpfs" && mounts["/dev/shm"]?.superOptions.contains("size=65536k") == true)
            let shm = try berth.run(Self.run + ["--shm-size", "128m", "busybox", "grep", " /dev/shm ", "/proc/mounts"])
            #expect(shm.stdout.contains("size=131072k"), "\(shm.stdout)")
            // with -t, Docker's /dev/console is the container's terminal
            let t = try berth.run(Self.run + ["-t", "busybox", "sh", "-c", "echo $(ls /dev); echo hi > /dev/console"])
            #expect(t.stdout.split(separator: "\r\n").map(String.init) == [
                "console core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero", "hi"], "\(t.stdout)")
        }
    }

    @Test("--read-only keeps / read-only but --tmpfs writable; a mount inside never reaches the host")
    func readOnlyAndPropagation() throws {
        try withTemporaryStateRoot { berth in
            let ro = try berth.run(Self.run + ["--read-only", "--tmpfs", "/run:size=1m", "busybox", "sh", "-c",
                                               "touch /x 2>&1; touch /run/y && echo tmpfs-ok; grep ' /run ' /proc/mounts"])
            #expect(ro.stdout.contains("Read-only file system"), "\(ro.stdout)")
            #expect(ro.stdout.contains("tmpfs-ok"))
            #expect(ro.stdout.contains("nosuid,nodev,noexec"), "\(ro.stdout)")
            let marker = "berth-propagation-\(getpid())"
            let m = try berth.run(Self.run + ["--cap-add", "SYS_ADMIN", "busybox", "sh", "-c",
                                              "mkdir -p /mnt/x && mount -t tmpfs \(marker) /mnt/x && grep -c \(marker) /proc/mounts"])
            #expect(m.trimmed == "1", "\(m.stdout)\(m.stderr)")
            let host = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
            #expect(!host.contains(marker))
        }
    }

    @Test("--security-opt: seccomp=unconfined, a profile FILE, no-new-privileges; --privileged")
    func securityOptions() throws {
        try withTemporaryStateRoot { berth in
            let status = ["busybox", "grep", "-E", "^(Seccomp|NoNewPrivs|CapEff):", "/proc/self/status"]
            let unconfined = try berth.run(Self.run + ["--security-opt", "seccomp=unconfined"] + status)
            #expect(unconfined.stdout.contains("Seccomp:\t0"), "\(unconfined.stdout)\(unconfined.stderr)")
            let nnp = try berth.run(Self.run + ["--security-opt", "no-new-privileges"] + status)
            #expect(nnp.stdout.contains("NoNewPrivs:\t1") && nnp.stdout.contains("Seccomp:\t2"), "\(nnp.stdout)\(nnp.stderr)")
            let nnpUser = try berth.run(Self.run + ["--security-opt", "no-new-privileges", "-u", "1000"] + status)
            #expect(nnpUser.stdout.contains("Seccomp:\t2"), "\(nnpUser.stdout)\(nnpUser.stderr)")
            let privileged = try berth.run(Self.run + ["--privileged", "busybox", "sh", "-c",
                                                       "grep -E '^(Seccomp|CapEff):' /proc/self/status; touch /sys/kernel/x 2>&1; ls /dev | wc -l"])
            #expect(privileged.stdout.contains("Seccomp:\t0"), "\(privileged.stdout)")
            // every capability the host's bounding set has
            let hostBounding = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
                .split(separator: "\n").first { $0.hasPrefix("CapBnd:") }.map { String($0.dropFirst(7)) }
            let bounding = try #require(hostBounding)
            #expect(privileged.lines.contains("CapEff:" + bounding), "\(privileged.stdout)")

            // A profile in Docker's format that refuses mkdir: the file is read at create time.
            let json = try berth.run("_seccomp-profile").stdout
            var profile = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            var rules = profile["syscalls"] as! [[String: Any]]
            rules[0]["names"] = (rules[0]["names"] as! [String]).filter { $0 != "mkdir" && $0 != "mkdirat" }
            profile["syscalls"] = rules
            let file = NSTemporaryDirectory() + "berth-profile-\(getpid()).json"
            try JSONSerialization.data(withJSONObject: profile).write(to: URL(fileURLWithPath: file))
            defer { try? FileManager.default.removeItem(atPath: file) }
            let denied = try berth.run(Self.run + ["--security-opt", "seccomp=\(file)", "busybox", "mkdir", "/newdir"])
            #expect(denied.status != 0)
            #expect(denied.stderr.contains("Operation not permitted"), "\(denied.stderr)")
        }
    }

    @Test("--user UID:GID and names from the image's /etc/passwd and /etc/group, HOME; non-root has no capabilities")
    func users() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run(Self.run + ["-u", "1000:1000", "busybox", "sh", "-c", "id -u; id -g; grep CapEff /proc/self/status"])
            #expect(r.lines == ["1000", "1000", "CapEff:\t0000000000000000"], "\(r.stdout)\(r.stderr)")
            let n = try berth.run(Self.run + ["-u", "nobody", "busybox", "sh", "-c", "id -u; id -g"])
            #expect(n.lines == ["65534", "65534"], "\(n.stdout)\(n.stderr)")
            // `id` and HOME as runc sets them: memberships from /etc/group only without an explicit
            // group; HOME from passwd, "/" for a user it does not list, unless -e HOME is given
            let cases: [([String], String)] = [
                ([], "uid=0(root) gid=0(root) groups=0(root),10(wheel) /root"),
                (["-u", "root"], "uid=0(root) gid=0(root) groups=0(root),10(wheel) /root"),
                (["-u", "1000"], "uid=1000 gid=0(root) groups=0(root) /"),
                (["-u", "1000:1000"], "uid=1000 gid=1000 groups=1000 /"),
                (["-u", "root:daemon"], "uid=0(root) gid=1(daemon) groups=1(daemon) /root"),
                (["-u", "0:1"], "uid=0(root) gid=1(daemon) groups=1(daemon) /root"),
                (["-u", "daemon"], "uid=1(daemon) gid=1(daemon) groups=1(daemon) /usr/sbin"),
                (["-u", "nobody", "-e", "HOME=/elsewhere"], "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup) /elsewhere"),
            ]
            for (flags, expected) in cases {
                let r = try berth.run(Self.run + flags + ["busybox", "sh", "-c", "echo $(id) $HOME"])
                #expect(r.trimmed == expected, "\(flags): \(r.stdout)\(r.stderr)")
            }
            // a membership added in the container's own /etc/group counts, for exec too (the kernel sorts groups)
            try berth.run("run", "-d", "--name", "users", "--network", "none", "busybox", "sleep", "60")
            try berth.run("exec", "users", "sed", "-i", "s/^staff:x:50:$/staff:x:50:nobody/", "/etc/group")
            let member = try berth.run("exec", "-u", "nobody", "users", "sh", "-c", "echo $(id) $HOME")
            #expect(member.trimmed == "uid=65534(nobody) gid=65534(nogroup) groups=50(staff),65534(nogroup) /home",
                    "\(member.stdout)\(member.stderr)")
            let explicit = try berth.run("exec", "-u", "nobody:nogroup", "users", "id")
            #expect(explicit.trimmed == "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)", "\(explicit.stdout)")
            let bad = try berth.run(Self.run + ["-u", "nosuchuser", "busybox", "true"])
            #expect(bad.status != 0 && bad.stderr.contains("unable to find user nosuchuser"))
        }
    }

    @Test("failed starts leave no container: run --rm -u nosuchuser, a profile libseccomp refuses, a missing profile FILE")
    func failedStartsLeaveNothing() throws {
        try withTemporaryStateRoot { berth in
            let user = try berth.run(Self.run + ["-u", "nosuchuser", "busybox", "id"])
            #expect(user.status == 125)
            #expect(user.stderr == "docker: Error response from daemon: unable to find user nosuchuser: no matching entries in passwd file.\n")
            #expect(try berth.run("ps", "-aq").stdout.isEmpty)
            // parses as a profile, but no syscall has a seventh argument
            let file = NSTemporaryDirectory() + "berth-badprofile-\(getpid()).json"
            try #"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":7,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#
                .write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            for command in [["run", "--rm"], ["run"], ["create"]] {
                let r = try berth.run(command + ["--security-opt", "seccomp=\(file)", "busybox", "true"])
                #expect(r.status == (command == ["create"] ? 1 : 125) && r.stderr.contains("seccomp"), "\(command): \(r.stderr)")
                #expect(try berth.run("ps", "-aq").stdout.isEmpty, "\(command) left a container")
            }
            for command in ["run", "create"] {
                let r = try berth.run(command, "--security-opt", "seccomp=/nonexistent", "busybox", "true")
                #expect(r.status == 125)
                #expect(r.stderr.hasPrefix(
                    "docker: opening seccomp profile (/nonexistent) failed: open /nonexistent: no such file or directory"), "\(r.stderr)")
            }
            #expect(try berth.run("ps", "-aq").stdout.isEmpty)
        }
    }

    @Test("inspect shows Docker's defaults for a container created without flags; --cpus below 0.01 is refused")
    func inspectDefaults() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "--name", "plain", "busybox")
            let fields = ["Memory", "MemorySwap", "NanoCpus", "PidsLimit", "ShmSize", "CapAdd", "CapDrop", "SecurityOpt",
                          "ReadonlyRootfs", "Privileged"]
            let format = fields.map { "{{.HostConfig.\($0)}}" }.joined(separator: " ")
            let plain = try berth.run("inspect", "-f", format, "plain")
            #expect(plain.trimmed == "0 0 0 <nil> 67108864 [] [] [] false false", "\(plain.stdout)\(plain.stderr)")
            let json = try berth.run("inspect", "-f", "{{json .HostConfig}}", "plain").stdout
            let host = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
            for key in ["PidsLimit", "CapAdd", "CapDrop", "SecurityOpt"] { #expect(host[key] is NSNull, "\(key): \(json)") }
            try berth.run("create", "--name", "set", "--cap-add", "NET_ADMIN", "--pids-limit", "5", "--memory", "64m", "busybox")
            let set = try berth.run("inspect", "-f", "{{.HostConfig.CapAdd}} {{.HostConfig.PidsLimit}} {{.HostConfig.Memory}}", "set")
            #expect(set.trimmed == "[NET_ADMIN] 5 67108864")
            let cpus = ProcessInfo.processInfo.activeProcessorCount
            let tiny = try berth.run("run", "--rm", "--cpus", "0.001", "busybox", "true")
            #expect(tiny.status == 125)
            #expect(tiny.stderr.hasPrefix("docker: Error response from daemon: Range of CPUs is from 0.01 to \(cpus).00, as there are only \(cpus) CPUs available"),
                    "\(tiny.stderr)")
            #expect(try berth.run("ps", "-aq").lines.count == 2)
        }
    }

    @Test("--memory 32m OOM-kills a 100 MB allocation and inspect shows OOMKilled: true")
    func oomKilled() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run("run", "--name", "oom", "--network", "none", "--memory", "32m", "busybox", "sh", "-c",
                                  "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived")
            #expect(r.status == 137, "\(r.stdout)\(r.stderr)")
            #expect(!r.stdout.contains("survived"))
            #expect(try berth.run("inspect", "-f", "{{.State.OOMKilled}} {{.HostConfig.Memory}}", "oom").trimmed == "true 33554432")
            try berth.run("run", "--name", "fine", "--network", "none", "--memory", "32m", "busybox", "true")
            #expect(try berth.run("inspect", "-f", "{{.State.OOMKilled}}", "fine").trimmed == "false")
        }
    }

    @Test("a fork bomb under --pids-limit 64 stays contained, the host keeps working, rm -f cleans up")
    func forkBomb() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("run", "-d", "--name", "bomb", "--network", "none", "--pids-limit", "64",
                                   "busybox", "sleep", "600").trimmed
            #expect(id.count == 64)
            let cgroup = Self.cgroupDir("pids", id)
            #expect(try String(contentsOfFile: cgroup + "/pids.max", encoding: .utf8).trimmed == "64")
            let bomb = try berth.run("exec", "-d", "bomb", "sh", "-c", "f() { f | f & }; f")
            #expect(bomb.status == 0, "\(bomb.stderr)")
            // the limit is reached: the kernel counts each refused fork in pids.events
            let hitLimit = waitUntil(20, "forks refused") {
                let events = (try? String(contentsOfFile: cgroup + "/pids.events", encoding: .utf8)) ?? ""
                return events.split(separator: "\n").contains { $0.hasPrefix("max ") && $0 != "max 0" }
            }
            #expect(hitLimit)
            let current = Int((try? String(contentsOfFile: cgroup + "/pids.current", encoding: .utf8))?.trimmed ?? "") ?? 0
            #expect(current > 0 && current <= 64, "pids.current \(current)")
            // the host still forks and runs programs
            let host = try berth.run("version")
            #expect(host.status == 0)
            let start = Date()
            #expect(try berth.run("rm", "-f", "bomb").status == 0)
            #expect(Date().timeIntervalSince(start) < 15)
            #expect(!FileManager.default.fileExists(atPath: cgroup), "cgroup left behind")
        }
    }

    @Test("limits land in the container's cgroup, exec joins it, stats shows them, rm removes it")
    func cgroupLimitsAndStats() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("run", "-d", "--name", "lim", "--network", "none", "--memory", "64m", "--memory-swap", "96m",
                                   "--cpus", "0.5", "--pids-limit", "100", "busybox", "sleep", "600").trimmed
            let procs = Self.cgroupDir("pids", id) + "/cgroup.procs"
            #expect(Self.lines(procs).count == 1)
            if case .some = Self.v1Root {
                #expect(Self.lines(Self.cgroupDir("memory", id) + "/memory.limit_in_bytes") == ["67108864"])
                #expect(Self.lines(Self.cgroupDir("cpu", id) + "/cpu.cfs_quota_us") == ["50000"])
                let memsw = Self.cgroupDir("memory", id) + "/memory.memsw.limit_in_bytes"  // only with swap accounting
                if FileManager.default.fileExists(atPath: memsw) { #expect(Self.lines(memsw) == ["100663296"]) }
            } else {
                #expect(Self.lines(Self.cgroupDir("memory", id) + "/memory.max") == ["67108864"])
                #expect(Self.lines(Self.cgroupDir("cpu", id) + "/cpu.max") == ["50000 100000"])
                let swap = Self.cgroupDir("memory", id) + "/memory.swap.max"  // v2 counts the swap alone
                if FileManager.default.fileExists(atPath: swap) { #expect(Self.lines(swap) == ["33554432"]) }
            }
            try berth.run("exec", "-d", "lim", "sleep", "500")
            #expect(waitUntil(5, "exec in cgroup") { Self.lines(procs).count == 2 })
            let stats = try berth.run("stats", "--no-stream", "lim")
            #expect(stats.status == 0, "\(stats.stderr)")
            #expect(stats.lines.first?.hasPrefix("CONTAINER ID   NAME      CPU %") == true, "\(stats.stdout)")
            let row = stats.lines.dropFirst().first ?? ""
            #expect(row.hasPrefix(String(id.prefix(12))) && row.contains("lim") && row.contains("/ 64MiB"), "\(row)")
            #expect(row.hasSuffix(" 2"), "PIDs column: \(row)")
            #expect(try berth.run("rm", "-f", "lim").status == 0)
            #expect(!FileManager.default.fileExists(atPath: Self.cgroupDir("memory", id)))
            #expect(!FileManager.default.fileExists(atPath: Self.cgroupDir("pids", id)))
        }
    }

    @Test("the BPF device program on the unified cgroup refuses devices off Docker's list even when v1 allows all")
    func deviceProgram() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("run", "-d", "--name", "dev", "--network", "none", "busybox", "sleep", "60").trimmed
            let unified = try #require(Self.unifiedDir(id), "no unified cgroup for the container")
            #expect(FileManager.default.fileExists(atPath: unified))
            // open v1's controller to everything: only the BPF program stands in the way now
            if Self.v1Root != nil {
                try Data("a".utf8).write(to: URL(fileURLWithPath: Self.cgroupDir("devices", id) + "/devices.allow"))
            }
            let script = """
                mknod /tmp/loop b 7 0 && mknod /tmp/mem c 1 1 && mknod /tmp/null c 1 3 && echo mknod-ok
                head -c1 /tmp/loop; head -c1 /tmp/mem; echo x > /tmp/null && echo null-ok
                """
            let r = try berth.run("exec", "dev", "sh", "-c", script)
            #expect(r.lines == ["mknod-ok", "null-ok"], "\(r.stdout)\(r.stderr)")
            #expect(r.stderr.split(separator: "\n").map(String.init) == [
                "head: /tmp/loop: Operation not permitted", "head: /tmp/mem: Operation not permitted"], "\(r.stderr)")
            #expect(try berth.run("rm", "-f", "dev").status == 0)
            #expect(!FileManager.default.fileExists(atPath: unified), "unified cgroup left behind")
            // --privileged attaches no program: the same block device opens past the cgroup check
            let p = try berth.run(Self.run + ["--privileged", "busybox", "sh", "-c", "mknod /tmp/loop b 7 0 && head -c1 /tmp/loop"])
            #expect(!p.stderr.contains("Operation not permitted"), "\(p.stderr)")
        }
    }

    @Test("/sys/fs/cgroup shows the container's own limits, read-only; --privileged may write")
    func cgroupView() throws {
        try withTemporaryStateRoot { berth in
            let v1 = Self.v1Root != nil
            let pids = v1 ? "/sys/fs/cgroup/pids/pids.max" : "/sys/fs/cgroup/pids.max"
            let memory = v1 ? "/sys/fs/cgroup/memory/memory.limit_in_bytes" : "/sys/fs/cgroup/memory.max"
            let script = "cat \(pids) \(memory); ( echo 40 > \(pids) ) 2>&1; touch /sys/fs/cgroup/x 2>&1; echo $(ls /sys/fs/cgroup | grep -c .)"
            let r = try berth.run(Self.run + ["--memory", "64m", "--pids-limit", "50", "busybox", "sh", "-c", script])
            #expect(r.lines.prefix(2) == ["50", "67108864"], "\(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("\(pids): Read-only file system"), "\(r.stdout)")
            #expect(r.stdout.contains("/sys/fs/cgroup/x: Read-only file system"), "\(r.stdout)")
            #expect(Int(r.lines.last ?? "") ?? 0 > 2, "\(r.stdout)")
            let p = try berth.run(Self.run + ["--privileged", "--pids-limit", "50", "busybox", "sh", "-c", "echo 40 > \(pids) && cat \(pids)"])
            #expect(p.trimmed == "40", "\(p.stdout)\(p.stderr)")
        }
    }

    // MARK: helpers

    /// v1 (or hybrid): controllers under /sys/fs/cgroup/<name>; nil on a pure v2 host.
    static var v1Root: String? {
        FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") ? nil : "/sys/fs/cgroup"
    }

    static func cgroupDir(_ controller: String, _ id: String) -> String {
        v1Root.map { "\($0)/\(controller)/berth/\(id)" } ?? "/sys/fs/cgroup/berth/\(id)"
    }

    /// The container's directory in the unified hierarchy: the only one on a v2 host, the
    /// device program's on a hybrid one; nil on a host without cgroup2.
    static func unifiedDir(_ id: String) -> String? {
        if v1Root == nil { return "/sys/fs/cgroup/berth/\(id)" }
        let unified = "/sys/fs/cgroup/unified"
        return FileManager.default.fileExists(atPath: unified + "/cgroup.procs") ? "\(unified)/berth/\(id)" : nil
    }

    /// One /proc/self/mountinfo line, by mount point (the last mount wins, as the kernel shows it).
    struct Mount: CustomStringConvertible {
        var device: String, root: String, options: [String], type: String, superOptions: [String]
        var description: String { "\(device) \(root) \(options) \(type) \(superOptions)" }
    }

    static func mountinfo(_ text: String) -> [String: Mount] {
        var out: [String: Mount] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPEROPTIONS
            guard let dash = f.firstIndex(of: "-"), dash >= 6, dash + 3 < f.count else { continue }
            out[f[4]] = Mount(device: f[2], root: f[3], options: f[5].split(separator: ",").map(String.init),
                              type: f[dash + 1], superOptions: f[dash + 3].split(separator: ",").map(String.init))
        }
        return out
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Compiles Probes/syscalls.c.probe with `cc -static`; returns the binary's path.
    static func buildProbe() throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Probes/syscalls.c.probe").path
        let out = NSTemporaryDirectory() + "berth-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        // posix_spawn and waitpid: Foundation's Process can miss exits under parallel tests
        let argv = ["/usr/bin/cc", "-static", "-O2", "-pthread", "-x", "c", source, "-o", out]
        var cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], nil, nil, &cargs, environ) == 0 else { throw POSIXError(.ENOENT) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        guard status == 0 else { throw POSIXError(.ENOEXEC) }
        return out
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
