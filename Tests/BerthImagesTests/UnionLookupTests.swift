import BerthCore
import Foundation
import Testing

@testable import BerthImages

struct UnionLookupTests {
    /// Three layers, topmost first, built by hand with AUFS-style whiteouts.
    static func layers(_ root: TestRoot) throws -> [String] {
        let top = try root.scratch("3"), mid = try root.scratch("2"), low = try root.scratch("1")
        func file(_ path: String, _ text: String = "x") throws {
            try ensureDirectory((path as NSString).deletingLastPathComponent)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        let fm = FileManager.default
        try file(low + "/etc/passwd", "old")
        try file(low + "/etc/shadow")
        try file(low + "/usr/lib/y")
        try file(low + "/etc/hostname", "inside")
        try file(low + "/opt/a")
        try file(mid + "/etc/passwd", "new")
        try ensureDirectory(mid + "/bin")
        try fm.createSymbolicLink(atPath: mid + "/bin/pw", withDestinationPath: "../etc/passwd")
        try fm.createSymbolicLink(atPath: mid + "/escape", withDestinationPath: "/../../../../../etc/hostname")
        try fm.createSymbolicLink(atPath: mid + "/loop", withDestinationPath: "loop")
        try fm.createSymbolicLink(atPath: mid + "/etcdir", withDestinationPath: "/etc")
        try file(mid + "/opt", "now a file")
        try file(top + "/etc/.wh.shadow", "")
        try file(top + "/usr/.wh..wh..opq", "")
        try file(top + "/usr/bin/x")
        return [top, mid, low]
    }

    @Test("finds the topmost copy, honours whiteouts, and keeps symlinks inside", arguments: [
        ("/etc/passwd", "2/etc/passwd"), ("etc/passwd", "2/etc/passwd"), ("/etc/../etc/./passwd", "2/etc/passwd"),
        ("/etc/shadow", nil), ("/usr/lib/y", nil), ("/usr/bin/x", "3/usr/bin/x"), ("/bin/pw", "2/etc/passwd"),
        ("/escape", "1/etc/hostname"), ("/etcdir/passwd", "2/etc/passwd"), ("/loop", nil), ("/nothing", nil),
        ("/opt/a", nil), ("/opt", "2/opt"), ("/etc", "3/etc"), ("/../../etc/passwd", "2/etc/passwd"),
    ])
    func lookup(path: String, expected: String?) throws {
        let root = try TestRoot()
        defer { root.remove() }
        let layers = try UnionLookupTests.layers(root)
        let found = UnionLookup(layers: layers).find(path)
        #expect(found == expected.map { root.base + "/scratch/" + $0 })
    }

    @Test("overlay's own whiteouts and opaque xattrs hide lower layers", .enabled(if: isRoot, "needs root: mknod, trusted xattrs"))
    func overlayWhiteouts() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let top = try root.scratch("top"), low = try root.scratch("low")
        try ensureDirectory(low + "/etc")
        try ensureDirectory(low + "/var/lib")
        try Data("x".utf8).write(to: URL(fileURLWithPath: low + "/etc/group"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: low + "/var/lib/z"))
        try ensureDirectory(top + "/etc")
        try ensureDirectory(top + "/var")
        #expect(mknod(top + "/etc/group", S_IFCHR, 0) == 0)
        #expect(Xattr.markOpaque(path: top + "/var"))
        let lookup = UnionLookup(layers: [top, low])
        #expect(lookup.find("/etc/group") == nil)
        #expect(lookup.find("/var/lib/z") == nil)
        #expect(UnionLookup(layers: [low]).find("/var/lib/z") == low + "/var/lib/z")
    }
}
