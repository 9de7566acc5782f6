import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// Runs a host program (python3, skopeo, tar) and returns its status and output.
@discardableResult
func host(_ argv: [String], input: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: argv[0])
    p.arguments = Array(argv.dropFirst())
    let out = Pipe(), err = Pipe(), inp = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = inp
    try p.run()
    if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
    try? inp.fileHandleForWriting.close()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

let hasSkopeo = FileManager.default.isExecutableFile(atPath: "/usr/bin/skopeo")
let hasPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

/// Python's tarfile writes the hostile archives: it stores whatever name it is given.
/// `layer` is a list of python expressions adding entries to the tarfile `t`.
func hostileSaveArchive(_ path: String, layer: [String], manifestLayer: String? = nil) throws {
    let script = """
        import tarfile, io, json, hashlib
        def add(t, name, data=b"x", type=tarfile.REGTYPE, link=""):
            i = tarfile.TarInfo(name); i.type = type; i.linkname = link; i.size = len(data) if type == tarfile.REGTYPE else 0
            t.addfile(i, io.BytesIO(data) if type == tarfile.REGTYPE else None)
        buf = io.BytesIO()
        t = tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT)
        \(layer.joined(separator: "\n"))
        t.close()
        layer = buf.getvalue()
        diff = hashlib.sha256(layer).hexdigest()
        config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]}}).encode()
        cid = hashlib.sha256(config).hexdigest()
        manifest = json.dumps([{"Config": cid + ".json", "RepoTags": ["hostile:latest"], "Layers": [\(manifestLayer.map { "\"\($0)\"" } ?? "diff + \"/layer.tar\"")]}]).encode()
        out = tarfile.open("\(path)", "w")
        for name, data in [(cid + ".json", config), (diff + "/layer.tar", layer), ("manifest.json", manifest)]:
            add(out, name, data)
        out.close()
        open("\(path).layer", "wb").write(layer)
        """
    let r = try host(["/usr/bin/python3", "-c", script])
    #expect(r.status == 0, "\(r.err)")
}

@Suite(.tags(.root), .enabled(if: isRoot, "needs root: layer owners, whiteouts and overlay mounts"))
struct ImageTests {
    @Test("save → rmi → load gives the same image ID; skopeo reads the archive's layers as berth lists them")
    func saveLoadRoundTrip() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            let id = try berth.run("inspect", "-f", "{{.Id}}", "busybox").trimmed
            #expect(id.hasPrefix("sha256:"))
            let archive = berth.paths.root + "/../bb.tar"
            #expect(try berth.run("save", "-o", archive, "busybox").status == 0)
            let removed = try berth.run("rmi", "busybox")
            #expect(removed.lines.first == "Untagged: busybox:latest")
            #expect(removed.lines.contains("Deleted: \(id)"))
            #expect(try berth.run("images", "-q").trimmed.isEmpty)
            let load = try berth.run("load", "-i", archive)
            #expect(load.status == 0, "\(load.stderr)")
            #expect(load.lines.last == "Loaded image: busybox:latest")
            #expect(try berth.run("inspect", "-f", "{{.Id}}", "busybox").trimmed == id)
            // The image ID is the sha256 of the stored config bytes.
            let config = try Data(contentsOf: URL(fileURLWithPath: berth.paths.root + "/image/overlay2/imagedb/content/sha256/" + id.dropFirst(7)))
            #expect(sha256Hex(config) == String(id.dropFirst(7)))
            // Loading again: the layer is already there.
            #expect(try berth.run("load", "-i", archive).stdout.contains("Already exists"))
            guard hasSkopeo else { return }
            let layers = try berth.run("image", "inspect", "-f", "{{json .RootFS.Layers}}", "busybox").trimmed
            let skopeo = try host(["/usr/bin/skopeo", "inspect", "docker-archive:" + archive])
            #expect(skopeo.status == 0, "\(skopeo.err)")
            let json = try JSONSerialization.jsonObject(with: Data(skopeo.out.utf8)) as? [String: Any]
            let skopeoLayers = json?["Layers"] as? [String] ?? []
            #expect(layers == "[" + skopeoLayers.map { "\"\($0)\"" }.joined(separator: ",") + "]")
        }
    }

    @Test("images, tag, rmi and Docker's errors for bad names")
    func namesAndErrors() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            #expect(try berth.run("tag", "busybox", "localhost:5000/team/box:v1").status == 0)
            let table = try berth.run("images").lines
            #expect(table.first.map { $0.hasPrefix("REPOSITORY ") && $0.contains(" TAG ") && $0.contains(" IMAGE ID ") } == true)
            #expect(table.contains { $0.hasPrefix("localhost:5000/team/box   v1 ") })
            #expect(try berth.run("images", "-q").lines.count == 1)  // one image, two names
            #expect(try berth.run("images", "busybox", "--format", "{{.Repository}}:{{.Tag}}").trimmed == "busybox:latest")
            // Untagging one of two names keeps the image.
            #expect(try berth.run("rmi", "localhost:5000/team/box:v1").trimmed == "Untagged: localhost:5000/team/box:v1")
            #expect(try berth.run("images", "-q").lines.count == 1)

            let unknown = try berth.run("rmi", "nosuch")
            #expect(unknown.status == 1)
            #expect(unknown.stderr == "Error response from daemon: No such image: nosuch:latest\n")
            let tag = try berth.run("inspect", "busybox:9.9")
            #expect(tag.status == 1)
            #expect(tag.stderr.contains("No such object: busybox:9.9"))
            let upper = try berth.run("image", "inspect", "UPPER:case")
            #expect(upper.status == 1)
            #expect(upper.stderr.contains("invalid reference format: repository name (library/UPPER) must be lowercase"))
            let colons = try berth.run("tag", "busybox", "a::b")
            #expect(colons.status == 1)
            #expect(colons.stderr == "Error parsing reference: \"a::b\" is not a valid repository/tag: invalid reference format\n")

            // By ID, a running user is named before a stopped one, as Docker's conflict check does.
            let id = try berth.run("images", "-q", "busybox").trimmed
            try berth.run("create", "--name", "idle", "busybox")
            try berth.run("run", "-d", "--name", "busy", "busybox", "sleep", "60")
            let inUse = try berth.run("rmi", id)
            #expect(inUse.status == 1)
            #expect(inUse.stderr.contains("(cannot be forced) - image is being used by running container"), "\(inUse.stderr)")
            // By name, -f takes the name even from under a running container (Docker's untag-only
            // path); the image stays for it, nameless.
            let forced = try berth.run("rmi", "-f", "busybox")
            #expect(forced.status == 0, "\(forced.stderr)")
            #expect(forced.stdout.hasPrefix("Untagged: busybox:latest\n") && !forced.stdout.contains("Deleted"), "\(forced.stdout)")
            #expect(try berth.run("images", "-q").lines.contains(id))
            #expect(try berth.run("inspect", "-f", "{{.State.Running}}", "busy").trimmed == "true")
            try berth.run("rm", "-f", "busy")
            #expect(try berth.run("rmi", id).stderr.contains("(must be forced) - image is being used by stopped container"))
        }
    }

    @Test("debian:12 and an image committed from it share the base layer; rmi keeps what the other uses")
    func sharedBaseLayer() throws {
        try withTemporaryStateRoot { berth in
            let seed = try berth.run("seed", "busybox")
            #expect(seed.status == 0, "\(seed.stderr)")
            #expect(try berth.run("run", "--name", "c1", "debian:12", "bash", "-c", "echo curl-stand-in > /usr/local/bin/tool; rm /etc/issue").status == 0)
            let committed = try berth.run("commit", "c1", "mydeb:curl")
            #expect(committed.status == 0, "\(committed.stderr)")
            let base = try berth.run("inspect", "-f", "{{json .RootFS.Layers}}", "debian:12").trimmed
            let derived = try berth.run("inspect", "-f", "{{json .RootFS.Layers}}", "mydeb:curl").trimmed
            #expect(derived.hasPrefix(String(base.dropLast())), "\(derived) does not start with \(base)")
            let layerdb = berth.paths.root + "/image/overlay2/layerdb/sha256"
            #expect(try FileManager.default.contentsOfDirectory(atPath: layerdb).count == 3)  // busybox, debian, the commit

            #expect(try berth.run("rm", "c1").status == 0)
            #expect(try berth.run("rmi", "debian:bookworm").trimmed == "Untagged: debian:bookworm")
            let rmi = try berth.run("rmi", "debian:12")
            #expect(rmi.lines.first == "Untagged: debian:12")
            #expect(rmi.lines.count == 2)  // the image's config; its layer stays under mydeb
            #expect(try FileManager.default.contentsOfDirectory(atPath: layerdb).count == 3)
            let out = try berth.run("run", "--rm", "mydeb:curl", "bash", "-c", "cat /usr/local/bin/tool; test -e /etc/issue || echo gone")
            #expect(out.lines == ["curl-stand-in", "gone"])
            // History: one row per step, newest first, the commit's layer with its size.
            let history = try berth.run("history", "mydeb:curl").lines
            #expect(history.count == 4)
            #expect(history[1].contains("bash -c echo curl-stand-in"))
        }
    }

    @Test("export → import gives a one-layer image with the container's files; info and system df show the store")
    func exportImportInfo() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("seed", "busybox")
            #expect(try berth.run("run", "--name", "e1", "busybox", "sh", "-c", "echo exported > /data; rm /etc/passwd").status == 0)
            let tar = berth.paths.root + "/../e1.tar"
            #expect(try berth.run("export", "-o", tar, "e1").status == 0)
            let list = try host(["/bin/tar", "-tf", tar]).out.split(separator: "\n")
            #expect(list.contains("data"))
            #expect(list.contains("bin/busybox"))
            let id = try berth.run("import", tar, "imported:v1").trimmed
            #expect(id.hasPrefix("sha256:"))
            let r = try berth.run("run", "--rm", "imported:v1", "/bin/cat", "/data")
            #expect(r.trimmed == "exported")
            let info = try berth.run("info").stdout
            #expect(info.contains(" Storage Driver: overlay2\n"))
            #expect(info.contains(" Docker Root Dir: \(berth.paths.root)\n"))
            #expect(info.contains(" Images: 2\n"), "\(info)")
            #expect(info.contains("  Stopped: 1\n"))
            let df = try berth.run("system", "df").lines
            #expect(df.first?.hasPrefix("TYPE") == true)
            #expect(df.contains { $0.hasPrefix("Images          2         1 ") })
        }
    }

    struct HostileCase: Sendable, CustomStringConvertible {
        var description: String
        var layer: [String]
        var manifestLayer: String?
        var error: String
    }

    static let hostileCases: [HostileCase] = [
        HostileCase(description: "dot-dot", layer: [#"add(t, "../../../../tmp/berth-escaped")"#], error: "is outside of"),
        HostileCase(
            description: "symlink out then a file under it",
            layer: [#"add(t, "evil", type=tarfile.SYMTYPE, link="/tmp")"#, #"add(t, "evil/berth-escaped")"#],
            error: "refusing to write through a symlink"),
        HostileCase(
            description: "hardlink to a host file", layer: [#"add(t, "h", type=tarfile.LNKTYPE, link="/etc/passwd")"#],
            error: "invalid hardlink"),
        HostileCase(
            description: "manifest names a host path", layer: [#"add(t, "ok")"#], manifestLayer: "../../../../etc/passwd",
            error: "is missing"),
    ]

    @Test("hostile load archives: a clear error, nothing outside the store, the store unchanged", arguments: hostileCases)
    func hostileLoad(_ c: HostileCase) throws {
        guard hasPython else { return }
        try withTemporaryStateRoot { berth in
            let archive = berth.paths.root + "/../hostile.tar"
            try hostileSaveArchive(archive, layer: c.layer, manifestLayer: c.manifestLayer)
            let r = try berth.run("load", "-i", archive)
            #expect(r.status == 1)
            #expect(r.stderr.contains(c.error), "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/berth-escaped"))
            #expect(try berth.run("images", "-a", "-q").trimmed.isEmpty)
            let layerdb = berth.paths.root + "/image/overlay2/layerdb/sha256"
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: layerdb)) ?? []).isEmpty)
            let tmp = berth.paths.root + "/tmp"
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).isEmpty)
            // The same layer through import (a filesystem tarball).
            guard c.manifestLayer == nil else { return }
            let imported = try berth.run("import", archive + ".layer", "hostile:imported")
            #expect(imported.status == 1)
            #expect(imported.stderr.contains(c.error), "\(imported.stderr)")
            #expect(!FileManager.default.fileExists(atPath: "/tmp/berth-escaped"))
            #expect(try berth.run("images", "-a", "-q").trimmed.isEmpty)
        }
    }
}

func sha256Hex(_ data: Data) -> String {
    let path = NSTemporaryDirectory() + "/berth-sha-" + UUID().uuidString
    FileManager.default.createFile(atPath: path, contents: data)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return (try? host(["/usr/bin/sha256sum", path]).out.prefix(64)).map(String.init) ?? ""
}
