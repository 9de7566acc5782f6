import BerthCore
import Foundation
import Testing

@testable import BerthImages

/// A tar built entry by entry, so a test can write what no honest archiver would.
struct HostileTar {
    let writer: TarWriter
    let fd: Int32
    let path: String

    init(_ path: String) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        writer = TarWriter(fd: fd)
    }

    func file(_ name: String, _ text: String = "x", mode: UInt32 = 0o644) throws {
        var h = TarHeader(name: name, kind: .regular, mode: mode)
        h.size = Int64(text.utf8.count)
        try writer.append(h)
        try writer.appendContents(Array(text.utf8))
    }

    func dir(_ name: String) throws { try writer.append(TarHeader(name: name + "/", kind: .directory, mode: 0o755)) }

    func symlink(_ name: String, to target: String) throws {
        var h = TarHeader(name: name, kind: .symlink, mode: 0o777)
        h.linkName = Array(target.utf8)
        try writer.append(h)
    }

    func hardlink(_ name: String, to target: String) throws {
        var h = TarHeader(name: name, kind: .hardLink, mode: 0o644)
        h.linkName = Array(target.utf8)
        try writer.append(h)
    }

    func device(_ name: String) throws {
        var h = TarHeader(name: name, kind: .characterDevice, mode: 0o666)
        (h.devMajor, h.devMinor) = (1, 3)
        try writer.append(h)
    }

    @discardableResult
    func finish() throws -> Digest {
        let d = try writer.finish().digest
        close(fd)
        return d
    }
}

struct LayerApplierTests {
    /// Applies the tar at `path` into a fresh directory; returns the directory.
    static func apply(_ root: TestRoot, _ path: String, privileged: Bool = getuid() == 0) throws -> (String, LayerApplier.Result) {
        let dest = try root.scratch("dest-\(UUID().uuidString.prefix(6))")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        var applier = LayerApplier()
        applier.privileged = privileged
        return (dest, try applier.apply(fd: fd, into: dest))
    }

    @Test("archive → apply → archive gives the same DiffID; tar-split rebuilds GNU tar's exact bytes")
    func roundTrip() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let src = try root.scratch("src")
        try TarWriterTests.makeTree(src)
        let tarPath = root.base + "/tree.tar"
        let first = try LayerArchiver().archive(directory: src, toFile: tarPath)
        let (dest, result) = try Self.apply(root, tarPath)
        #expect(result.diffID == first.diffID)
        #expect(try LayerArchiver().archive(directory: dest).diffID == first.diffID)
        #expect(readText(dest + "/a/g") == "hello\n")

        // GNU tar's own format (different headers and order), gzip-compressed, through the store.
        let gnu = root.base + "/gnu.tar.gz"
        #expect(try run(["/bin/tar", "-czf", gnu, "-C", src, "."]).status == 0)
        let plain = try run(["/bin/sh", "-c", "gzip -dc \(gnu) | sha256sum"]).out.prefix(64)
        let fd = open(gnu, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        let applied = try root.store.applyLayer(file: fd, parent: nil)
        #expect(applied.layer.diffID.hex == String(plain))
        let out = root.base + "/rebuilt.tar"
        let w = open(out, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        try root.store.writeLayerTar(applied.layer, to: w)
        close(w)
        let rebuilt = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(Digest.sha256(of: rebuilt) == applied.layer.diffID)
        #expect(Int64(rebuilt.count) == (try root.store.layerTarSize(applied.layer)))
    }

    @Test("a DiffID that does not match leaves nothing in the store")
    func diffIDMismatch() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let t = HostileTar(root.base + "/a.tar")
        try t.file("hello", "hi")
        try t.finish()
        let fd = open(t.path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        let wrong = Digest.sha256(of: "nope")
        #expect(throws: BerthError.self) { try root.store.applyLayer(file: fd, parent: nil, expected: wrong) }
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root.paths.layerDB)) ?? []).isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root.paths.tmp)) ?? []).isEmpty)
    }

    struct Hostile: CustomStringConvertible, Sendable {
        var description: String
        var build: @Sendable (HostileTar, String) throws -> Void
        /// nil: must load (sanitized); otherwise the error's message contains this.
        var error: String?
    }

    static let hostile: [Hostile] = [
        Hostile(description: "dot-dot entry", build: { t, _ in try t.file("../escaped") }, error: "is outside of"),
        Hostile(description: "dot-dot inside a path", build: { t, _ in try t.file("a/../../escaped") }, error: "is outside of"),
        Hostile(description: "absolute path is made relative", build: { t, out in try t.file(out + "/abs") }, error: nil),
        Hostile(
            description: "symlink out, then a file under it",
            build: { t, out in
                try t.symlink("evil", to: out)
                try t.file("evil/escaped")
            }, error: "refusing to write through a symlink"),
        Hostile(
            description: "relative symlink out, then a file under it",
            build: { t, _ in
                try t.symlink("evil", to: "../../../../../../../../tmp")
                try t.file("evil/escaped")
            }, error: "refusing to write through a symlink"),
        Hostile(
            description: "symlink chain",
            build: { t, out in
                try t.symlink("b", to: out)
                try t.symlink("a", to: "b")
                try t.file("a/escaped")
            }, error: "refusing to write through a symlink"),
        Hostile(description: "hardlink with dot-dot", build: { t, _ in try t.hardlink("h", to: "../../etc/passwd") }, error: "is outside of"),
        Hostile(description: "hardlink to a host path", build: { t, _ in try t.hardlink("h", to: "/etc/passwd") }, error: "invalid hardlink"),
        Hostile(
            description: "hardlink through a symlink",
            build: { t, _ in
                try t.symlink("etc", to: "/etc")
                try t.hardlink("h", to: "etc/passwd")
            }, error: "invalid hardlink"),
        Hostile(
            description: "symlink replaced by a file of the same name",
            build: { t, out in
                try t.symlink("s", to: out + "/escaped")
                try t.file("s", "inside")
            }, error: nil),
        Hostile(
            description: "directory replaced by a symlink, then a file under it",
            build: { t, out in
                try t.dir("d")
                try t.symlink("d", to: out)
                try t.file("d/escaped")
            }, error: "refusing to write through a symlink"),
    ]

    @Test("hostile archives never write outside the layer", arguments: hostile)
    func hostileArchive(_ c: Hostile) throws {
        let root = try TestRoot()
        defer { root.remove() }
        let outside = try root.scratch("outside")
        let t = HostileTar(root.base + "/hostile.tar")
        try c.build(t, outside)
        try t.finish()
        do {
            let (dest, _) = try Self.apply(root, t.path)
            #expect(c.error == nil, "loaded, but should fail with \(c.error ?? "")")
            if c.description.hasPrefix("absolute") { #expect(readText(dest + outside + "/abs") == "x") }
            if c.description.hasPrefix("symlink replaced") {
                #expect(readText(dest + "/s") == "inside")
                #expect(lstatMode(dest + "/s").map { $0 & S_IFMT == S_IFREG } == true)
            }
        } catch let e as BerthError {
            #expect(c.error.map { e.message.contains($0) } == true, "\(e.message)")
            #expect(e.exitCode == 1)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.base + "/scratch/escaped"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/escaped"))
    }

    @Test("device nodes without root are skipped and reported; whiteouts become overlay's")
    func devicesAndWhiteouts() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let t = HostileTar(root.base + "/dev.tar")
        try t.device("dev/null")
        try t.file("keep", "k")
        try t.finish()
        let (dest, result) = try Self.apply(root, t.path, privileged: false)
        #expect(result.skipped == ["dev/null"])
        #expect(readText(dest + "/keep") == "k")
        #expect(lstatMode(dest + "/dev/null") == nil)

        guard isRoot else { return }
        let w = HostileTar(root.base + "/wh.tar")
        try w.dir("etc")
        try w.file("etc/.wh.gone", "")
        try w.dir("opaque")
        try w.file("opaque/.wh..wh..opq", "")
        try w.finish()
        let (d2, _) = try Self.apply(root, w.path)
        var st = stat()
        #expect(lstat(d2 + "/etc/gone", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0)
        #expect(Xattr.isOpaque(path: d2 + "/opaque"))
        #expect(!FileManager.default.fileExists(atPath: d2 + "/opaque/.wh..wh..opq"))
        // Archived again with overlay whiteouts, the tree gives back the original names.
        #expect(try LayerArchiver(overlayWhiteouts: true).archive(directory: d2).diffID != Digest.sha256(of: ""))
    }
}
