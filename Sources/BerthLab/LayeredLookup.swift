#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Finds a path in a stack of overlay layer directories (top first) the way the overlay
/// mount would, without mounting anything: the top layer that has the path wins, a whiteout
/// (a 0/0 character device, or an AUFS-style `.wh.NAME`) hides it, and an opaque directory
/// hides everything below it. Symlinks are not followed: the checker never leaves the layers.
enum LayeredLookup {
    /// The host path of the file seen at `path`, or nil. `*`, `?` and `[` in the last
    /// component are globs (`/var/lib/apt/lists/*_Packages`).
    static func find(_ path: String, in layers: [String]) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        guard let last = parts.last else { return layers.first }
        if last.contains(where: { "*?[".contains($0) }) {
            return glob(parent: Array(parts.dropLast()), pattern: last, in: layers)
        }
        for layer in layers {
            switch probe(parts, in: layer) {
            case .found(let p): return p
            case .hidden: return nil
            case .notHere: continue
            }
        }
        return nil
    }

    private enum Probe { case found(String), hidden, notHere }

    private static func probe(_ parts: [String], in layer: String) -> Probe {
        var dir = layer
        var opaque = false
        for (i, part) in parts.enumerated() {
            let p = dir + "/" + part
            if exists(dir + "/.wh." + part) { return .hidden }
            var st = stat()
            guard lstat(p, &st) == 0 else { return opaque ? .hidden : .notHere }
            if isWhiteout(st) { return .hidden }
            if i == parts.count - 1 { return .found(p) }
            guard (st.st_mode & S_IFMT) == S_IFDIR else { return .hidden }
            opaque = opaque || isOpaque(p)
            dir = p
        }
        return .notHere
    }

    private static func glob(parent: [String], pattern: String, in layers: [String]) -> String? {
        var seen = Set<String>()
        for layer in layers {
            let dir = ([layer] + parent).joined(separator: "/")
            if case .hidden = probe(parent, in: layer), !parent.isEmpty { return nil }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
            for name in names.sorted() {
                let visibleName = name.hasPrefix(".wh.") ? String(name.dropFirst(4)) : name
                guard seen.insert(visibleName).inserted else { continue }
                var st = stat()
                if name.hasPrefix(".wh.") || (lstat(dir + "/" + name, &st) == 0 && isWhiteout(st)) { continue }
                if fnmatch(pattern, name, 0) == 0 { return dir + "/" + name }
            }
            if isOpaque(dir) { return nil }
        }
        return nil
    }

    private static func exists(_ p: String) -> Bool {
        var st = stat()
        return lstat(p, &st) == 0
    }

    private static func isWhiteout(_ st: stat) -> Bool {
        (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0
    }

    /// `<sys/xattr.h>` is not in Swift's Glibc module, so `lgetxattr` is looked up once.
    private typealias LGetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    private static let lgetxattr: LGetXattr? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "lgetxattr").map {
        unsafeBitCast($0, to: LGetXattr.self)
    }

    /// Overlay's opaque mark (`trusted.` as root, `user.` with userxattr), or AUFS's `.wh..wh..opq`.
    private static func isOpaque(_ dir: String) -> Bool {
        if exists(dir + "/.wh..wh..opq") { return true }
        guard let lgetxattr else { return false }
        var value: UInt8 = 0
        let names: [String] = ["trusted.overlay.opaque", "user.overlay.opaque"]
        return names.contains { name in lgetxattr(dir, name, &value, 1) == 1 && value == UInt8(ascii: "y") }
    }
}
