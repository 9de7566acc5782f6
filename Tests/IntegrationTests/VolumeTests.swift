import BerthTestSupport
import Foundation
import Testing

/// Local volumes (`docker volume ...`, `-v NAME:/path`, `-v /path`, image `VOLUME`s) on
/// real containers.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces, overlay and bind mounts"))
struct VolumeTests {
    @Test("data written through one container is read by another via the same named volume")
    func namedVolumeShared() throws {
        try withTemporaryStateRoot { berth in
            #expect(try berth.run("volume", "create", "shared").lines == ["shared"])
            let w = try berth.run("run", "--rm", "-v", "shared:/data", "busybox", "sh", "-c", "echo kept > /data/note")
            #expect(w.status == 0, "\(w.stderr)")
            #expect(try berth.run("run", "--rm", "-v", "shared:/srv:ro", "busybox", "cat", "/srv/note").stdout == "kept\n")
            // `:ro` really is read-only, and the file is in the volume's directory on the host.
            #expect(try berth.run("run", "--rm", "-v", "shared:/srv:ro", "busybox", "touch", "/srv/x").status != 0)
            let data = berth.paths.root + "/volumes/shared/_data"
            #expect(try String(contentsOfFile: data + "/note", encoding: .utf8) == "kept\n")
            #expect(!FileManager.default.fileExists(atPath: data + "/x"))
            // `--rm` keeps named volumes.
            #expect(try berth.run("volume", "ls", "-q").lines == ["shared"])
            #expect(HostSnapshot.capture(berth).mounts.isEmpty)
        }
    }

    @Test("a missing named volume is created by run; ls, inspect and the container's Mounts show it as Docker does")
    func lsAndInspect() throws {
        try withTemporaryStateRoot { berth in
            #expect(try berth.run("volume", "create", "--label", "tier=db", "--label", "bare", "db1").trimmed == "db1")
            let r = try berth.run("create", "--name", "c1", "-v", "db2:/var/lib/db", "-v", "db1:/cfg:ro", "busybox", "true")
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try berth.run("volume", "ls").lines == ["DRIVER    VOLUME NAME", "local     db1", "local     db2"])
            #expect(try berth.run("volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Labels}}").lines
                == ["db1 local bare=,tier=db", "db2 local "])
            let json = try berth.run("volume", "inspect", "db1")
            let list = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
            try #require(list.count == 1)
            let v = list[0]
            #expect(Set(v.keys) == ["CreatedAt", "Driver", "Labels", "Mountpoint", "Name", "Options", "Scope"])
            #expect(v["Driver"] as? String == "local" && v["Scope"] as? String == "local" && v["Name"] as? String == "db1")
            #expect(v["Mountpoint"] as? String == berth.paths.root + "/volumes/db1/_data")
            #expect(v["Labels"] as? [String: String] == ["tier": "db", "bare": ""])
            #expect((v["CreatedAt"] as? String)?.hasSuffix("Z") == true)
            // Created by `run`: no labels, no options, printed as null like Docker does.
            #expect(try berth.run("volume", "inspect", "-f", "{{json .Labels}} {{json .Options}}", "db2").trimmed == "null null")
            // The container: Docker's Mount entries, Binds as typed.
            let mounts = try berth.run("inspect", "-f", "{{json .Mounts}}", "c1")
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(mounts.stdout.utf8)) as? [[String: Any]])
            try #require(entries.count == 2)
            let byDest = Dictionary(uniqueKeysWithValues: entries.map { ($0["Destination"] as? String ?? "", $0) })
            let db2 = try #require(byDest["/var/lib/db"])
            #expect(db2["Type"] as? String == "volume" && db2["Name"] as? String == "db2")
            #expect(db2["Source"] as? String == berth.paths.root + "/volumes/db2/_data")
            #expect(db2["Driver"] as? String == "local" && db2["Mode"] as? String == "z")
            #expect(db2["RW"] as? Bool == true && db2["Propagation"] as? String == "")
            let db1 = try #require(byDest["/cfg"])
            #expect(db1["RW"] as? Bool == false && db1["Mode"] as? String == "ro")
            #expect(try berth.run("inspect", "-f", "{{json .HostConfig.Binds}}", "c1").trimmed == #"["db2:/var/lib/db","db1:/cfg:ro"]"#)
            // `volume ls -f dangling=true` lists only what no container uses.
            #expect(try berth.run("volume", "create", "loose").status == 0)
            #expect(try berth.run("volume", "ls", "-q", "-f", "dangling=true").lines == ["loose"])
            #expect(try berth.run("volume", "ls", "-q", "-f", "dangling=false").lines == ["db1", "db2"])
            #expect(try berth.run("volume", "ls", "-q", "-f", "label=tier=db").lines == ["db1"])
            // A volume name with no argument: 64 hex digits.
            let random = try berth.run("volume", "create").trimmed
            #expect(random.count == 64 && random.allSatisfy(\.isHexDigit))
            let df = try berth.run("system", "df", "--format", "{{.Type}} {{.TotalCount}} {{.Active}}")
            #expect(df.lines.contains("Local Volumes 4 2"), "\(df.stdout)")
        }
    }

    @Test("an empty volume gets the image's content at its path, owners, modes and links kept; a full one is left alone")
    func copyUp() throws {
        try withTemporaryStateRoot { berth in
            let prep = try berth.run(
                "run", "--name", "prep", "busybox", "sh", "-c",
                "mkdir /data && echo seed > /data/f && chown 65534:65534 /data/f && chmod 640 /data/f "
                    + "&& ln -s f /data/link && mkdir /data/sub && echo deep > /data/sub/g && chown 65534 /data && chmod 750 /data")
            try #require(prep.status == 0, "\(prep.stderr)")
            try #require(try berth.run("commit", "prep", "seeded:v1").status == 0)
            let r = try berth.run("run", "--rm", "-v", "cu:/data", "seeded:v1", "sh", "-c",
                                  "cat /data/f /data/link /data/sub/g; stat -c '%u %g %a' /data/f /data")
            #expect(r.lines == ["seed", "seed", "deep", "65534 65534 640", "65534 0 750"], "\(r.stderr)")
            let data = berth.paths.root + "/volumes/cu/_data"
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: data + "/link") == "f")
            var st = stat()
            #expect(lstat(data + "/f", &st) == 0 && st.st_uid == 65534 && st.st_mode & 0o7777 == 0o640)
            // Not empty any more: a different image's content is not copied over it.
            // (The mount points of /etc/hosts, hostname and resolv.conf land in it too, as with Docker.)
            let etc = try berth.run("run", "--rm", "-v", "cu:/etc", "busybox", "ls", "/etc").lines
            #expect(etc.contains("f") && etc.contains("sub") && !etc.contains("passwd"), "\(etc)")
            // `:nocopy` leaves a new volume empty.
            #expect(try berth.run("run", "--rm", "-v", "nc:/data:nocopy", "seeded:v1", "ls", "-A", "/data").trimmed.isEmpty)
            #expect(HostSnapshot.capture(berth).mounts.isEmpty)
        }
    }

    @Test("-v /path makes an anonymous volume; rm -v and run --rm delete anonymous ones and keep named ones")
    func anonymousVolumes() throws {
        try withTemporaryStateRoot { berth in
            let r = try berth.run("run", "-d", "--name", "a1", "-v", "/scratch", "-v", "keep:/keep", "busybox", "sh", "-c",
                                  "echo x > /scratch/x; echo y > /keep/y; sleep 60")
            try #require(r.status == 0, "\(r.stderr)")
            let mounts = try mountEntries(berth, "a1")
            let scratch = try #require(mounts.first { $0["Destination"] as? String == "/scratch" })
            let name = scratch["Name"] as? String ?? ""
            #expect(name.count == 64 && name.allSatisfy(\.isHexDigit) && scratch["Mode"] as? String == "")
            #expect(scratch["Source"] as? String == berth.paths.root + "/volumes/\(name)/_data")
            #expect(try berth.run("inspect", "-f", "{{json .Config.Volumes}}", "a1").trimmed == #"{"/scratch":{}}"#)
            #expect(try berth.run("volume", "inspect", "-f", "{{json .Labels}}", name).trimmed == #"{"com.docker.volume.anonymous":""}"#)
            #expect(Set(try berth.run("volume", "ls", "-q").lines) == [name, "keep"])
            #expect(try berth.run("rm", "-f", "-v", "a1").status == 0)
            #expect(try berth.run("volume", "ls", "-q").lines == ["keep"])
            #expect(!FileManager.default.fileExists(atPath: berth.paths.root + "/volumes/" + name))
            // `run --rm`: the same, when the container exits.
            let rm = try berth.run("run", "--rm", "-v", "/tmpdata", "-v", "keep:/keep", "busybox", "cat", "/keep/y")
            #expect(rm.stdout == "y\n", "\(rm.stderr)")
            #expect(try berth.run("volume", "ls", "-q").lines == ["keep"])
            // Plain `rm` (no -v) keeps the anonymous volume; prune then takes it, and `-a` the named one too.
            try berth.run("run", "--name", "a2", "-v", "/left", "busybox", "true")
            try berth.run("rm", "a2")
            #expect(try berth.run("volume", "ls", "-q").lines.count == 2)
            let prune = try berth.run("volume", "prune", "-f")
            #expect(prune.lines.first == "Deleted Volumes:" && prune.lines.count == 3, "\(prune.stdout)")
            #expect(prune.lines.last?.hasPrefix("Total reclaimed space: ") == true)
            #expect(try berth.run("volume", "ls", "-q").lines == ["keep"])
            let all = try berth.run("volume", "prune", "-f", "-a")
            #expect(all.lines == ["Deleted Volumes:", "keep", "Total reclaimed space: 2B"], "\(all.stdout)")
            let snap = HostSnapshot.capture(berth)
            #expect(snap.mounts.isEmpty && snap.monitors.isEmpty, "\(snap)")
        }
    }

    @Test("an image whose config has Volumes gets anonymous volumes at create, filled from the image; -v covers them")
    func imageVolumes() throws {
        try withTemporaryStateRoot { berth in
            try #require(hasPython, "python3 crafts the image archive")
            let prep = try berth.run("run", "--name", "prep", "busybox", "sh", "-c", "mkdir /data && echo from-image > /data/f")
            try #require(prep.status == 0, "\(prep.stderr)")
            try #require(try berth.run("commit", "prep", "plain:v1").status == 0)
            let archive = berth.paths.root + "/../plain.tar"
            try #require(try berth.run("save", "-o", archive, "plain:v1").status == 0)
            try addVolumesToArchive(archive, output: archive + ".vol", tag: "withvol:latest", volumes: ["/data"])
            let load = try berth.run("load", "-i", archive + ".vol")
            try #require(load.status == 0, "\(load.stderr)")
            #expect(try berth.run("image", "inspect", "-f", "{{json .Config.Volumes}}", "withvol").trimmed == #"{"/data":{}}"#)

            try #require(try berth.run("create", "--name", "iv", "withvol", "cat", "/data/f").status == 0)
            let mounts = try mountEntries(berth, "iv")
            try #require(mounts.count == 1)
            let anonymous = mounts[0]["Name"] as? String ?? ""
            #expect(mounts[0]["Type"] as? String == "volume" && mounts[0]["Destination"] as? String == "/data")
            #expect(anonymous.count == 64)
            #expect(try berth.run("volume", "ls", "-q").lines == [anonymous])
            #expect(try berth.run("start", "-a", "iv").stdout == "from-image\n")
            // A named volume on the same path replaces the anonymous one.
            let named = try berth.run("run", "--rm", "-v", "mine:/data", "withvol", "cat", "/data/f")
            #expect(named.stdout == "from-image\n", "\(named.stderr)")
            #expect(Set(try berth.run("volume", "ls", "-q").lines) == [anonymous, "mine"])
            #expect(try berth.run("rm", "-v", "iv").status == 0)
            #expect(try berth.run("volume", "ls", "-q").lines == ["mine"])
        }
    }

    @Test("volume rm of a volume in use fails with Docker's text and removes nothing; unknown and invalid names")
    func errors() throws {
        try withTemporaryStateRoot { berth in
            try #require(try berth.run("run", "--name", "user", "-v", "busy:/data", "busybox", "sh", "-c", "echo 1 > /data/v").status == 0)
            let id = try berth.run("inspect", "-f", "{{.Id}}", "user").trimmed
            let rm = try berth.run("volume", "rm", "busy")
            #expect(rm.status == 1)
            #expect(rm.stderr == "Error response from daemon: remove busy: volume is in use - [\(id)]\n")
            #expect(try berth.run("volume", "rm", "-f", "busy").status == 1)  // -f does not override "in use"
            #expect(try String(contentsOfFile: berth.paths.root + "/volumes/busy/_data/v", encoding: .utf8) == "1\n")

            let unknown = try berth.run("volume", "rm", "nosuch")
            #expect(unknown.status == 1 && unknown.stderr == "Error response from daemon: get nosuch: no such volume\n")
            #expect(try berth.run("volume", "rm", "-f", "nosuch").status == 0)
            let inspect = try berth.run("volume", "inspect", "nosuch")
            #expect(inspect.status == 1 && inspect.trimmed == "[]")
            #expect(inspect.stderr == "Error response from daemon: get nosuch: no such volume\n")

            let message = #"Error response from daemon: create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path"#
            let bad = try berth.run("volume", "create", "../x")
            #expect(bad.status == 1 && bad.stderr == message + "\n")
            // `run` reports a create failure as docker run does: "docker: ", a period, the help line.
            // (`../x` itself would be a bind of a relative host path since Docker 23, so `x/y` here.)
            let run = try berth.run("run", "--rm", "-v", "x/y:/data", "busybox", "true")
            let runMessage = message.replacingOccurrences(of: "../x", with: "x/y")
            #expect(run.status == 125 && run.stderr == "docker: " + runMessage + ".\nSee 'docker run --help'.\n")
            #expect(try berth.run("run", "--rm", "-v", "a/b:/data", "busybox", "true").status == 125)
            // Nothing was created by the refused commands.
            #expect(try berth.run("volume", "ls", "-q").lines == ["busy"])
            #expect(try berth.run("ps", "-a", "-q").lines.count == 1)
            #expect(!FileManager.default.fileExists(atPath: berth.paths.root + "/x"))
            let dup = try berth.run("create", "-v", "v1:/data", "-v", "/data", "busybox")
            #expect(dup.status == 1 && dup.stderr == "Error response from daemon: Duplicate mount point: /data\n")
            #expect(try berth.run("volume", "ls", "-q").lines == ["busy"])

            // Once the container is gone the volume can go, and its directory with it.
            #expect(try berth.run("rm", "user").status == 0)
            #expect(try berth.run("volume", "rm", "busy").lines == ["busy"])
            #expect(!FileManager.default.fileExists(atPath: berth.paths.root + "/volumes/busy"))
        }
    }
}

/// `inspect -f '{{json .Mounts}}'`, decoded.
func mountEntries(_ berth: BerthProcess, _ container: String) throws -> [[String: Any]] {
    let r = try berth.run("inspect", "-f", "{{json .Mounts}}", container)
    return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]], "\(r.stdout)")
}

/// Rewrites a `berth save` archive so the image config carries `Volumes` (what a Dockerfile's
/// `VOLUME` leaves), under a new tag; python's tarfile and json do the surgery.
func addVolumesToArchive(_ path: String, output: String, tag: String, volumes: [String]) throws {
    let script = """
        import tarfile, json, hashlib, io
        src = tarfile.open("\(path)")
        manifest = json.load(src.extractfile("manifest.json"))
        old = manifest[0]["Config"]
        config = json.load(src.extractfile(old))
        config.setdefault("config", {})["Volumes"] = {p: {} for p in [\(volumes.map { "\"\($0)\"" }.joined(separator: ", "))]}
        data = json.dumps(config).encode()
        name = "blobs/sha256/" + hashlib.sha256(data).hexdigest()
        manifest[0]["Config"] = name
        manifest[0]["RepoTags"] = ["\(tag)"]
        out = tarfile.open("\(output)", "w")
        def add(n, d):
            i = tarfile.TarInfo(n); i.size = len(d); out.addfile(i, io.BytesIO(d))
        for m in src.getmembers():
            if m.isfile() and m.name not in (old, "manifest.json", "index.json", "oci-layout"):
                add(m.name, src.extractfile(m).read())
        add(name, data)
        add("manifest.json", json.dumps(manifest).encode())
        out.close()
        """
    let r = try host(["/usr/bin/python3", "-c", script])
    #expect(r.status == 0, "\(r.err)")
}
