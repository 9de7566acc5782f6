import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// A build context next to the test's state root: `files` maps relative paths to contents.
private func makeContext(_ berth: BerthProcess, _ name: String, _ files: [String: String]) throws -> String {
    let dir = (berth.paths.root as NSString).deletingLastPathComponent + "/" + name
    for (path, text) in files {
        let full = dir + "/" + path
        try ensureDirectory((full as NSString).deletingLastPathComponent)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }
    try ensureDirectory(dir)
    return dir
}

/// What must not change when a build fails: images (intermediates included), containers,
/// container layers and staging directories.
private func storeState(_ berth: BerthProcess) throws -> [String] {
    let images = try berth.run("images", "-a", "-q", "--no-trunc").lines.sorted()
    let containers = try berth.run("ps", "-a", "-q", "--no-trunc").lines.sorted()
    let mounts = ((try? FileManager.default.contentsOfDirectory(atPath: berth.paths.root + "/image/overlay2/layerdb/mounts")) ?? []).sorted()
    let tmp = ((try? FileManager.default.contentsOfDirectory(atPath: berth.paths.root + "/tmp")) ?? []).sorted()
    return images.map { "image " + $0 } + containers.map { "container " + $0 } + mounts.map { "mount " + $0 } + tmp.map { "tmp " + $0 }
}

/// Copies a host file (the test's own busybox for a FROM scratch image), mode kept.
private func copyfile_host(_ from: String, _ to: String) -> Bool {
    (try? BerthProcess.runProcess("/bin/cp", [from, to], environment: [:]).status) == 0
}

private func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

@Suite(.tags(.root), .enabled(if: isRoot, "needs root: containers, overlay mounts"))
struct BuildTests {
    static let dockerfile = """
        # every instruction the builder knows, on busybox
        ARG BASE=busybox
        FROM ${BASE}
        ARG GREETING=hello
        LABEL org.example.title="build test" version=1
        ENV APP_HOME=/app \\
            MODE="prod mode"
        ENV LEGACY some value
        WORKDIR $APP_HOME
        COPY hello.txt ./
        COPY conf /etc/app/
        COPY --chown=nobody:nogroup *.md /docs/
        ADD bundle.tar.gz /opt/
        RUN echo "$GREETING from $MODE" > run.txt && echo built-output
        EXPOSE 8080 53/udp
        VOLUME ["/data"]
        USER nobody
        ENTRYPOINT ["/bin/sh", "-c"]
        CMD ["cat /app/run.txt"]
        """

    static func fullContext(_ berth: BerthProcess) throws -> String {
        let dir = try makeContext(berth, "ctx", [
            "Dockerfile": dockerfile, "hello.txt": "hello file\n", "conf/app.conf": "key=value\n",
            "conf/sub/deep.conf": "deep\n", "a.md": "A\n", "b.md": "B\n", "secret.md": "secret\n",
            ".dockerignore": "secret.md\n*.log\n", "debug.log": "noise\n",
        ])
        // A gzip'd tar for ADD to unpack.
        let src = dir + "/../bundle-src"
        try ensureDirectory(src + "/lib")
        try "bundled\n".write(toFile: src + "/lib/file.txt", atomically: false, encoding: .utf8)
        let tar = try BerthProcess.runProcess("/usr/bin/tar", ["-czf", dir + "/bundle.tar.gz", "-C", src, "."], environment: [:])
        #expect(tar.status == 0, "\(tar.stderr)")
        return dir
    }

    @Test("every instruction: config, layers, history and files as Docker's classic builder makes them")
    func everyInstruction() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let ctx = try Self.fullContext(berth)
            let r = try berth.run("build", "-t", "app:local", "--build-arg", "GREETING=hi", ctx)
            // Steps after VOLUME run in containers with an anonymous volume: removed with them.
            #expect(try berth.run("volume", "ls", "-q").trimmed.isEmpty)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.hasPrefix("Sending build context to Docker daemon  "))
            #expect(r.stdout.contains("Step 1/17 : ARG BASE=busybox\n"))
            #expect(r.stdout.contains("Step 2/17 : FROM ${BASE}\n"))
            #expect(r.stdout.contains("Step 12/17 : RUN echo \"$GREETING from $MODE\" > run.txt && echo built-output\n ---> Running in "))
            #expect(r.stdout.contains("built-output\nRemoving intermediate container "))
            #expect(r.stdout.contains("Successfully tagged app:local\n"))
            let id = try berth.run("image", "inspect", "-f", "{{.Id}}", "app:local").trimmed
            #expect(r.stdout.contains("Successfully built \(id.dropFirst(7).prefix(12))\n"))

            let config = try berth.run("image", "inspect", "-f", "{{json .Config}}", "app:local").trimmed
            let c = try #require(try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any])
            #expect(c["Cmd"] as? [String] == ["cat /app/run.txt"])
            #expect(c["Entrypoint"] as? [String] == ["/bin/sh", "-c"])
            #expect(c["WorkingDir"] as? String == "/app")
            #expect(c["User"] as? String == "nobody")
            let env = try #require(c["Env"] as? [String])
            #expect(env.contains("APP_HOME=/app"))
            #expect(env.contains("MODE=prod mode"))
            #expect(env.contains("LEGACY=some value"))
            #expect(!env.contains { $0.hasPrefix("GREETING=") })  // ARG values are not kept in the image
            #expect((c["ExposedPorts"] as? [String: Any]).map { Set($0.keys) } == ["8080/tcp", "53/udp"])
            #expect((c["Volumes"] as? [String: Any]).map { Set($0.keys) } == ["/data"])
            #expect(c["Labels"] as? [String: String] == ["org.example.title": "build test", "version": "1"])

            // Layers: busybox's one, plus COPY, COPY, COPY, ADD, RUN.
            let layers = try berth.run("image", "inspect", "-f", "{{json .RootFS.Layers}}", "app:local").trimmed
            #expect(count("sha256:", in: layers) == 6)
            let history = try berth.run("history", "--no-trunc", "app:local")
            let rows = history.lines.dropFirst()
            #expect(rows.count == 15 + 1, "\(history.stdout)")  // 15 steps after FROM, plus busybox's row
            #expect(history.stdout.contains("/bin/sh -c #(nop)  CMD [\"cat /app/run.txt\"]"))
            #expect(history.stdout.contains("/bin/sh -c #(nop)  ENTRYPOINT [\"/bin/sh\" \"-c\"]"))
            #expect(history.stdout.contains("/bin/sh -c #(nop)  EXPOSE 8080 53/udp"))
            #expect(history.stdout.contains("/bin/sh -c #(nop)  WORKDIR /app"))
            #expect(history.stdout.contains("|1 GREETING=hi /bin/sh -c echo \"$GREETING from $MODE\" > run.txt && echo built-output"))
            #expect(history.stdout.contains("/bin/sh -c #(nop) COPY file:"))
            #expect(history.stdout.contains("/bin/sh -c #(nop) COPY dir:"))
            #expect(history.stdout.contains("/bin/sh -c #(nop) COPY --chown=nobody:nogroupmulti:"))
            #expect(history.stdout.contains("/bin/sh -c #(nop) ADD file:"))
            // Every step's image is local, so history names each row's image.
            #expect(!history.stdout.contains("<missing>"), "\(history.stdout)")

            // The files, seen from a container of the image.
            let run = try berth.run("run", "--rm", "app:local")
            #expect(run.stdout == "hi from prod mode\n", "\(run.stderr)")
            let files = try berth.run(
                "run", "--rm", "--user", "root", "app:local",
                "cat /app/hello.txt /etc/app/app.conf /etc/app/sub/deep.conf /opt/lib/file.txt; ls /docs; stat -c '%u:%g %n' /docs/a.md; pwd; ls /app")
            #expect(files.stdout == """
                hello file
                key=value
                deep
                bundled
                a.md
                b.md
                65534:65534 /docs/a.md
                /app
                hello.txt
                run.txt

                """, "\(files.stderr)")
            // `.dockerignore`: the excluded files were never in the context.
            #expect(try berth.run("run", "--rm", "app:local", "ls /docs/secret.md").status != 0)

            // `image build` is the same command; -q prints only the ID (from the cache here).
            let quiet = try berth.run("image", "build", "-q", "--build-arg", "GREETING=hi", ctx)
            #expect(quiet.status == 0)
            #expect(quiet.stdout == id + "\n")
            #expect(try berth.run("ps", "-a", "-q").trimmed.isEmpty)  // no intermediate container left
            // COPY's overlay mounts are gone too.
            let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
            #expect(!mounts.contains(berth.paths.root + "/"))
        }
    }

    @Test("FROM scratch, exec-form RUN, SHELL, plain tar ADD, -f, and .dockerignore exceptions")
    func scratchAndForms() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let ctx = try makeContext(berth, "ctx", [
                "other.Dockerfile": """
                    FROM scratch
                    COPY bin/busybox /bin/
                    ADD plain.tar /
                    COPY logs/ /logs/
                    RUN ["/bin/busybox", "sh", "-c", "/bin/busybox echo exec > /exec.txt"]
                    SHELL ["/bin/busybox", "sh", "-c"]
                    RUN /bin/busybox echo "shell $0" > /shell.txt
                    CMD ["/bin/busybox", "cat", "/exec.txt", "/shell.txt", "/from-tar.txt"]
                    """,
                "logs/keep.log": "kept\n", "logs/drop.log": "dropped\n", ".dockerignore": "**/*.log\n!logs/keep.log\n",
                "tarsrc/from-tar.txt": "from tar\n",
            ])
            try ensureDirectory(ctx + "/bin")
            #expect(copyfile_host("/bin/busybox", ctx + "/bin/busybox"))
            let tar = try BerthProcess.runProcess("/usr/bin/tar", ["-cf", ctx + "/plain.tar", "-C", ctx + "/tarsrc", "from-tar.txt"], environment: [:])
            #expect(tar.status == 0)
            let r = try berth.run("build", "-f", ctx + "/other.Dockerfile", "-t", "tiny", ctx)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("Step 1/8 : FROM scratch\n ---> \n"))
            #expect(try berth.run("run", "--rm", "tiny").stdout == "exec\nshell sh\nfrom tar\n")
            #expect(try berth.run("run", "--rm", "tiny", "/bin/busybox", "ls", "/logs").stdout == "keep.log\n")
            let layers = try berth.run("image", "inspect", "-f", "{{json .RootFS.Layers}}", "tiny").trimmed
            #expect(count("sha256:", in: layers) == 5)
            #expect(try berth.run("history", "-q", "tiny").lines.count == 7)
        }
    }

    @Test("ONBUILD triggers run in the build FROM the image, and are not inherited")
    func onBuild() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let parent = try makeContext(berth, "parent", ["Dockerfile": "FROM busybox\nONBUILD RUN echo triggered > /t\n"])
            #expect(try berth.run("build", "-t", "parent", parent).status == 0)
            #expect(try berth.run("run", "--rm", "parent", "ls", "/t").status != 0)
            let child = try makeContext(berth, "child", ["Dockerfile": "FROM parent\nCMD [\"cat\", \"/t\"]\n"])
            let r = try berth.run("build", "-t", "child", child)
            #expect(r.stdout.contains("# Executing 1 build trigger\n"), "\(r.stdout)")
            #expect(try berth.run("run", "--rm", "child").stdout == "triggered\n")
            #expect(try berth.run("image", "inspect", "-f", "{{json .Config}}", "child").stdout.contains("OnBuild") == false)
        }
    }

    @Test("second build: every step from the cache, same ID; a changed line rebuilds from there; --no-cache rebuilds all")
    func cache() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let lines = [
                "FROM busybox", "ENV A=1", "COPY f.txt /f.txt", "RUN echo one > /one", "CMD [\"cat\", \"/one\"]",
            ]
            let ctx = try makeContext(berth, "ctx", ["Dockerfile": lines.joined(separator: "\n") + "\n", "f.txt": "v1\n"])
            let first = try berth.run("build", "-t", "c:1", ctx)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(count("Using cache", in: first.stdout) == 0)
            let id = try berth.run("image", "inspect", "-f", "{{.Id}}", "c:1").trimmed

            let second = try berth.run("build", "-t", "c:2", ctx)
            #expect(count(" ---> Using cache\n", in: second.stdout) == 4)
            #expect(!second.stdout.contains("Running in"))
            #expect(try berth.run("image", "inspect", "-f", "{{.Id}}", "c:2").trimmed == id)

            // Touching a file keeps the cache; changing it rebuilds from its COPY on.
            utime(ctx + "/f.txt", nil)
            #expect(count("Using cache", in: try berth.run("build", ctx).stdout) == 4)
            try "v2\n".write(toFile: ctx + "/f.txt", atomically: false, encoding: .utf8)
            let changedFile = try berth.run("build", "-t", "c:3", ctx)
            #expect(count("Using cache", in: changedFile.stdout) == 1, "\(changedFile.stdout)")
            #expect(try berth.run("run", "--rm", "c:3", "cat", "/f.txt").stdout == "v2\n")

            // Line 4 changed: steps 2 and 3 come from the cache, 4 and 5 are built.
            var changed = lines
            changed[3] = "RUN echo two > /one"
            try (changed.joined(separator: "\n") + "\n").write(toFile: ctx + "/Dockerfile", atomically: false, encoding: .utf8)
            let rebuilt = try berth.run("build", "-t", "c:4", ctx)
            let steps = rebuilt.stdout.components(separatedBy: "Step ").dropFirst()
            try #require(steps.count == 5)
            #expect(steps.map { $0.contains("Using cache") } == [false, true, true, false, false], "\(rebuilt.stdout)")
            #expect(try berth.run("run", "--rm", "c:4").stdout == "two\n")

            let noCache = try berth.run("build", "--no-cache", "-t", "c:5", ctx)
            #expect(noCache.status == 0)
            #expect(count("Using cache", in: noCache.stdout) == 0)
            #expect(try berth.run("image", "inspect", "-f", "{{.Id}}", "c:5").trimmed != id)

            // Intermediate images: hidden from `images`, listed by `images -a`.
            let shown = try berth.run("images", "-q").lines
            let all = try berth.run("images", "-a", "-q").lines
            #expect(all.count > shown.count + 8)
            #expect(!shown.contains("<none>"))
            #expect(try berth.run("images").stdout.contains("<none>") == false)
        }
    }

    @Test("rmi of a built image deletes its untagged parents, with Docker's Deleted: lines")
    func rmiRemovesIntermediates() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let before = try berth.run("images", "-a", "-q").lines
            let ctx = try makeContext(berth, "ctx", ["Dockerfile": "FROM busybox\nRUN echo x > /x\nENV B=2\nCMD [\"sh\"]\n"])
            #expect(try berth.run("build", "-t", "gone:1", ctx).status == 0)
            let id = try berth.run("image", "inspect", "-f", "{{.Id}}", "gone:1").trimmed
            #expect(try berth.run("images", "-a", "-q").lines.count == before.count + 3)
            let r = try berth.run("rmi", "gone:1")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.lines.first == "Untagged: gone:1")
            #expect(r.lines.contains("Deleted: \(id)"))
            // Three images and the RUN's layer.
            #expect(r.lines.filter { $0.hasPrefix("Deleted: sha256:") }.count == 4, "\(r.stdout)")
            #expect(try berth.run("images", "-a", "-q").lines == before)
            #expect(try berth.run("run", "--rm", "busybox", "true").status == 0)

            // An intermediate image cannot go while an image stands on it; a base image's
            // last name can, and the image stays, untagged, for its children.
            #expect(try berth.run("build", "-t", "kept:1", ctx).status == 0)
            let all = try berth.run("images", "-a", "-q").lines
            let top = String(try berth.run("image", "inspect", "-f", "{{.Id}}", "kept:1").trimmed.dropFirst(7).prefix(12))
            let middle = try #require(all.first { !before.contains($0) && $0 != top })
            let conflict = try berth.run("rmi", middle)
            #expect(conflict.status == 1)
            #expect(conflict.stderr == "Error response from daemon: conflict: unable to delete \(middle) (cannot be forced) - image has dependent child images\n")
            let untag = try berth.run("rmi", "busybox")
            #expect(untag.stdout == "Untagged: busybox:latest\n")
            #expect(try berth.run("images", "-a", "-q").lines.sorted() == all.sorted())
            #expect(try berth.run("run", "--rm", "kept:1", "cat", "/x").stdout == "x\n")
        }
    }

    @Test("a failing RUN stops the build with its exit code; nothing is left behind")
    func failingRun() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let ok = try makeContext(berth, "ok", ["Dockerfile": "FROM busybox\nRUN echo before\n"])
            #expect(try berth.run("build", ok).status == 0)
            let before = try storeState(berth)
            let ctx = try makeContext(berth, "ctx", ["Dockerfile": "FROM busybox\nRUN echo before\nRUN false\nRUN echo never\n"])
            let r = try berth.run("build", ctx)
            #expect(r.status == 1)
            #expect(r.stderr == "The command '/bin/sh -c false' returned a non-zero code: 1\n")
            #expect(!r.stdout.contains("Step 4/4"))
            #expect(try storeState(berth) == before)

            let three = try makeContext(berth, "three", ["Dockerfile": "FROM busybox\nRUN echo partial > /p; exit 3\n"])
            let r3 = try berth.run("build", three)
            #expect(r3.status == 3)
            #expect(r3.stderr == "The command '/bin/sh -c echo partial > /p; exit 3' returned a non-zero code: 3\n")
            #expect(try storeState(berth) == before)
        }
    }

    @Test("bad Dockerfiles and bad paths: Docker's errors, store unchanged")
    func errors() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let before = try storeState(berth)
            let parse = try makeContext(berth, "parse", ["Dockerfile": "FROM busybox\nRUN true\nRUNN echo\n"])
            let p = try berth.run("build", parse)
            #expect(p.status == 1)
            #expect(p.stderr == "Error response from daemon: dockerfile parse error line 3: unknown instruction: RUNN\n")

            let empty = try makeContext(berth, "empty", ["x": ""])
            let m = try berth.run("build", empty)
            #expect(m.status == 1)
            #expect(m.stderr == "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat \(empty)/Dockerfile: no such file or directory\n")

            let noImage = try makeContext(berth, "noimage", ["Dockerfile": "FROM nosuchimage:1\n"])
            let n = try berth.run("build", noImage)
            #expect(n.status == 1)
            #expect(n.stderr.hasPrefix("pull access denied for nosuchimage, repository does not exist"))

            let outside = (berth.paths.root as NSString).deletingLastPathComponent + "/outside.txt"
            try "outside\n".write(toFile: outside, atomically: false, encoding: .utf8)
            for (name, line) in [("dotdot", "COPY ../outside.txt /x"), ("abs", "COPY \(outside) /x"), ("link", "COPY link /x"), ("addlink", "ADD link /x")] {
                let ctx = try makeContext(berth, name, ["Dockerfile": "FROM busybox\n\(line)\n"])
                _ = symlink(outside, ctx + "/link")
                let r = try berth.run("build", ctx)
                #expect(r.status == 1, "\(name)")
                let source = line.split(separator: " ")[1]
                #expect(r.stderr == "\(line.prefix(3) == "ADD" ? "ADD" : "COPY") failed: forbidden path outside the build context: \(source) ()\n", "\(name)")
            }
            let url = try makeContext(berth, "url", ["Dockerfile": "FROM busybox\nADD https://example.com/x.tar /x\n"])
            let u = try berth.run("build", url)
            #expect(u.status == 1)
            #expect(u.stderr.hasPrefix("ADD failed: cannot download https://example.com/x.tar"))
            #expect(try storeState(berth) == before)
        }
    }

    @Test(
        "debian:12: RUN apt-get install reaches the Debian mirror through the default bridge",
        .enabled(if: FileManager.default.fileExists(atPath: "/var/cache/berth/debian-12-minbase.tar"), "needs the cached debian seed"))
    func aptGetInstall() throws {
        try withTemporaryStateRoot { berth in
            #expect(try berth.run("seed", "debian:12").status == 0)
            let ctx = try makeContext(berth, "ctx", [
                "Dockerfile": """
                    FROM debian:12
                    RUN apt-get update -q && apt-get install -y -q --no-install-recommends hello && rm -rf /var/lib/apt/lists/*
                    CMD ["hello"]
                    """,
            ])
            let r = try berth.run("build", "-t", "hello:local", ctx)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("Setting up hello"))
            #expect(try berth.run("run", "--rm", "hello:local").stdout == "Hello, world!\n")
            let layers = try berth.run("image", "inspect", "-f", "{{json .RootFS.Layers}}", "hello:local").trimmed
            let base = try berth.run("image", "inspect", "-f", "{{json .RootFS.Layers}}", "debian:12").trimmed
            #expect(count("sha256:", in: layers) == count("sha256:", in: base) + 1)
        }
    }

    @Test("SIGINT or SIGTERM during a RUN removes its container and registers nothing", arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let before = try storeState(berth)
            let ctx = try makeContext(berth, "ctx", ["Dockerfile": "FROM busybox\nRUN echo started; sleep 60\n"])
            let p = try BerthProcess.spawnProcess(BerthProcess.binary, ["build", ctx], environment: berth.environment)
            defer { close(p.stdin); close(p.stdout); close(p.stderr) }
            var output = ""
            let started = waitUntil(20, "the RUN prints") {
                var buf = [UInt8](repeating: 0, count: 4096)
                var pfd = pollfd(fd: p.stdout, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 100) > 0 {
                    let n = read(p.stdout, &buf, buf.count)
                    if n > 0 { output += String(decoding: buf[0..<n], as: UTF8.self) }
                }
                return output.contains("\nstarted\n")  // the RUN's output, not the Step line
            }
            #expect(started, "\(output)")
            let during = try berth.run("ps", "-a", "-q")
            #expect(during.lines.count == 1, "\(during.stdout) \(during.stderr)")
            kill(p.pid, signal)
            var status: Int32 = 0
            waitpid(p.pid, &status, 0)
            #expect((status >> 8) & 0xff == 128 + signal)
            #expect(try storeState(berth) == before)
        }
    }

    @Test("COPY into an image works on an overlay mounted nowhere: SIGKILL mid-copy leaves no mount on the host")
    func killedCopyLeavesNoMount() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let ctx = try makeContext(berth, "ctx", ["Dockerfile": "FROM busybox\nCOPY many /many\n"])
            // Enough files that the copy is still going when the kill comes.
            try shell("mkdir -p \(ctx)/many && cd \(ctx)/many && seq 1 20000 | xargs touch")
            let p = try BerthProcess.spawnProcess(BerthProcess.binary, ["build", ctx], environment: berth.environment)
            defer { close(p.stdin); close(p.stdout); close(p.stderr) }
            var sawMount = false
            let copying = waitUntil(20, "the COPY step has a container layer") {
                // A mount under the root would be the old way (a path mount); there must be none.
                sawMount = sawMount || !HostSnapshot.capture(berth).mounts.isEmpty
                let layers = (try? FileManager.default.contentsOfDirectory(atPath: berth.paths.root + "/image/overlay2/layerdb/mounts")) ?? []
                return !layers.isEmpty
            }
            #expect(copying)
            usleep(200_000)
            sawMount = sawMount || !HostSnapshot.capture(berth).mounts.isEmpty
            kill(p.pid, SIGKILL)
            var status: Int32 = 0
            waitpid(p.pid, &status, 0)
            #expect(!sawMount)
            #expect(HostSnapshot.capture(berth).mounts.isEmpty)
            // The store is usable after the kill: the same build completes.
            let again = try berth.run("build", "-q", ctx)
            #expect(again.status == 0, "\(again.stderr)")
        }
    }
}
