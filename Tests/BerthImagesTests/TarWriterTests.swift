import BerthCore
import Foundation
import Testing

@testable import BerthImages

struct TarWriterTests {
    static let longDir = String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60)
    static let longName = String(repeating: "n", count: 120)
    static let longTarget = "../" + String(repeating: "t", count: 130)

    /// A tree with every kind of entry and every reason for a PAX header.
    static func makeTree(_ dir: String) throws {
        let fm = FileManager.default
        try ensureDirectory(dir + "/a/empty")
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: dir + "/a/f"))
        try Data().write(to: URL(fileURLWithPath: dir + "/a/zero"))
        try Data(repeating: 7, count: 70_000).write(to: URL(fileURLWithPath: dir + "/a/big"))
        chmod(dir + "/a/big", 0o4755)
        #expect(link(dir + "/a/f", dir + "/a/g") == 0)
        try ensureDirectory(dir + "/" + longDir)
        try Data("deep".utf8).write(to: URL(fileURLWithPath: dir + "/" + longDir + "/file"))
        try Data("long".utf8).write(to: URL(fileURLWithPath: dir + "/" + longName))
        try fm.createSymbolicLink(atPath: dir + "/a/short", withDestinationPath: "f")
        try fm.createSymbolicLink(atPath: dir + "/a/long", withDestinationPath: longTarget)
        try Data("é".utf8).write(to: URL(fileURLWithPath: dir + "/café.txt"))
        #expect(mkfifo(dir + "/a/fifo", 0o600) == 0)
        try ensureDirectory(dir + "/sticky")
        chmod(dir + "/sticky", 0o1777)
    }

    @Test("GNU tar reads the archive back: names, links, modes, contents")
    func gnuTarRoundTrip() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let src = try root.scratch("src")
        try TarWriterTests.makeTree(src)
        let tarPath = root.base + "/out.tar"
        let result = try LayerArchiver().archive(directory: src, toFile: tarPath)

        let bytes = try Data(contentsOf: URL(fileURLWithPath: tarPath))
        #expect(result.diffID == Digest.sha256(of: bytes))
        #expect(result.tarSize == Int64(bytes.count))
        #expect(bytes.count % 512 == 0)
        #expect(bytes.suffix(1024).allSatisfy { $0 == 0 })
        // Regular contents, each inode once: 6 + 0 + 70000 + 4 + 4 + 2, plus the two symlinks' lengths.
        #expect(result.contentSize == Int64(6 + 70_000 + 4 + 4 + 2 + 1 + TarWriterTests.longTarget.utf8.count))

        let listing = try run(["/bin/tar", "-tvf", tarPath])
        #expect(listing.status == 0, "\(listing.err)")
        let lines = listing.out.split(separator: "\n").map(String.init)
        func line(_ name: String) -> String? { lines.first { $0.hasSuffix(" " + name) || $0.contains(" " + name + " ") } }
        #expect(line("a/g link to a/f")?.hasPrefix("h") == true)
        #expect(line("a/long -> " + TarWriterTests.longTarget)?.hasPrefix("l") == true)
        #expect(line("a/fifo")?.hasPrefix("p") == true)
        #expect(line("a/big")?.hasPrefix("-rwsr-xr-x") == true)
        #expect(line("sticky/")?.hasPrefix("drwxrwxrwt") == true)
        #expect(!lines.contains { $0.contains("PaxHeaders") })
        // Directories come before their contents, in byte order, without a root entry.
        // Literal quoting: without a UTF-8 locale (CI) tar would print caf\303\251.txt.
        let names = try run(["/bin/tar", "--quoting-style=literal", "-tf", tarPath]).out.split(separator: "\n").map(String.init)
        #expect(names.first == "a/")
        #expect(names.firstIndex(of: "a/")! < names.firstIndex(of: "a/big")!)
        #expect(names.contains(TarWriterTests.longDir + "/file"))
        #expect(names.contains(TarWriterTests.longName))
        #expect(names.contains("café.txt"))
        #expect(!names.contains("./"))

        let out = try root.scratch("out")
        let x = try run(["/bin/tar", "-xf", tarPath, "-C", out])
        #expect(x.status == 0, "\(x.err)")
        #expect(readText(out + "/a/f") == "hello\n")
        #expect(readText(out + "/" + TarWriterTests.longDir + "/file") == "deep")
        #expect(readText(out + "/" + TarWriterTests.longName) == "long")
        #expect(readText(out + "/café.txt") == "é")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/a/long") == TarWriterTests.longTarget)
        var f = stat(), g = stat()
        #expect(stat(out + "/a/f", &f) == 0 && stat(out + "/a/g", &g) == 0)
        #expect(f.st_ino == g.st_ino)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/a/big")) == Data(repeating: 7, count: 70_000))
    }

    @Test("the same tree gives the same bytes; hashing alone gives the same DiffID")
    func deterministic() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let src = try root.scratch("src")
        try TarWriterTests.makeTree(src)
        let one = try LayerArchiver().archive(directory: src, toFile: root.base + "/1.tar")
        let two = try LayerArchiver().archive(directory: src, toFile: root.base + "/2.tar")
        let hashed = try LayerArchiver().archive(directory: src)
        #expect(one == two)
        #expect(hashed == one)
        #expect(try Data(contentsOf: URL(fileURLWithPath: root.base + "/1.tar")) == Data(contentsOf: URL(fileURLWithPath: root.base + "/2.tar")))
        // Changing one byte of one file changes the DiffID.
        try Data("hellO\n".utf8).write(to: URL(fileURLWithPath: src + "/a/f"))
        #expect(try LayerArchiver().archive(directory: src).diffID != one.diffID)
    }

    @Test("an owner override sets every entry to that uid/gid")
    func ownerOverride() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let src = try root.scratch("src")
        try TarWriterTests.makeTree(src)
        _ = try LayerArchiver(owner: (uid: 1234, gid: 5678)).archive(directory: src, toFile: root.base + "/o.tar")
        let listing = try run(["/bin/tar", "--numeric-owner", "-tvf", root.base + "/o.tar"]).out
        let lines = listing.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { $0.contains(" 1234/5678 ") })
    }

    @Test("sizes and IDs beyond ustar's fields go into PAX records")
    func paxNumbers() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let path = root.base + "/pax.tar"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let writer = TarWriter(fd: fd)
        var h = TarHeader(name: "huge", kind: .regular, mode: 0o644)
        h.size = 9 << 30
        h.uid = 3_000_000
        h.mtime = 1 << 34
        try writer.append(h)
        _ = try writer.finish()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes[156] == UInt8(ascii: "x"))
        let records = String(decoding: bytes[512..<1024].prefix { $0 != 0 }, as: UTF8.self)
        #expect(records == "21 mtime=17179869184\n19 size=9663676416\n15 uid=3000000\n")
        #expect(String(decoding: bytes[1024..<1028], as: UTF8.self) == "huge")
        #expect(String(decoding: bytes[(1024 + 124)..<(1024 + 135)], as: UTF8.self) == "00000000000")

        // GNU tar reads the PAX records back.
        let small = root.base + "/uid.tar"
        let sfd = open(small, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(sfd) }
        let w = TarWriter(fd: sfd)
        var f = TarHeader(name: "f", kind: .regular, mode: 0o600)
        f.uid = 3_000_000
        f.gid = 4_000_000
        f.size = 2
        try w.append(f)
        try w.appendContents(Array("ok".utf8))
        _ = try w.finish()
        let listing = try run(["/bin/tar", "--numeric-owner", "-tvf", small])
        #expect(listing.status == 0, "\(listing.err)")
        #expect(listing.out.hasPrefix("-rw------- 3000000/4000000 "))
    }

    @Test("ustar path splitting follows Go's archive/tar", arguments: [
        (String(repeating: "a", count: 100), true), (String(repeating: "a", count: 101), false),
        (String(repeating: "p", count: 155) + "/" + String(repeating: "n", count: 100), true),
        (String(repeating: "p", count: 156) + "/n", false), ("é", false),
    ])
    func splitting(name: String, fits: Bool) {
        #expect((TarWriter.splitUSTARPath(Array(name.utf8)) != nil) == fits)
    }

    @Test("overlay whiteouts become .wh. files in a layer tar", .enabled(if: isRoot, "needs root: mknod and trusted xattrs"))
    func whiteouts() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let src = try root.scratch("upper")
        try ensureDirectory(src + "/etc")
        try ensureDirectory(src + "/opaque")
        #expect(mknod(src + "/etc/gone", S_IFCHR | 0o000, 0) == 0)
        #expect(Xattr.markOpaque(path: src + "/opaque"))
        _ = try LayerArchiver(overlayWhiteouts: true).archive(directory: src, toFile: root.base + "/w.tar")
        let names = try run(["/bin/tar", "-tf", root.base + "/w.tar"]).out.split(separator: "\n").map(String.init)
        #expect(names == ["etc/", "etc/.wh.gone", "opaque/", "opaque/.wh..wh..opq"])
    }
}
