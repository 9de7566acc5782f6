#if canImport(Glibc)
import Glibc
#endif

/// Finds a path in a stack of layer directories the way overlayfs shows it, without
/// mounting anything: the topmost layer that has a name wins; a whiteout (`.wh.NAME`, or
/// overlay's 0/0 character device) hides the name below it; an opaque directory
/// (`.wh..wh..opq`, or the `trusted.overlay.opaque` xattr) hides everything below it.
/// Symlinks are resolved by this code, inside the stack (an absolute target restarts at
/// the image root), never by the kernel, so a link can never lead out of the layers.
struct UnionLookup {
    /// Layer directories, topmost first.
    let layers: [String]

    static let maxSymlinks = 40

    /// The host path of the topmost file or directory that `path` names, or nil.
    func find(_ path: String) -> String? {
        var components = UnionLookup.components(path)
        var followed = 0
        var index = 0
        // Directories (one per visible layer) that the components so far name, topmost first.
        var visible = layers
        while index < components.count {
            let name = components[index]
            var found: (path: String, mode: mode_t)?
            var below: [String] = []
            for dir in visible {
                let candidate = dir + "/" + name
                if UnionLookup.exists(dir + "/.wh." + name) { break }
                var st = stat()
                guard lstat(candidate, &st) == 0 else { continue }
                let type = st.st_mode & S_IFMT
                if type == S_IFCHR && st.st_rdev == 0 { break }  // overlay whiteout
                if found == nil { found = (candidate, type) }
                guard found!.mode == S_IFDIR, type == S_IFDIR else { break }
                below.append(candidate)
                if UnionLookup.exists(candidate + "/.wh..wh..opq") || Xattr.isOpaque(path: candidate) { break }
            }
            guard let hit = found else { return nil }
            if hit.mode == S_IFLNK {
                followed += 1
                guard followed <= UnionLookup.maxSymlinks, let target = UnionLookup.readLink(hit.path) else { return nil }
                let rest = Array(components[(index + 1)...])
                let base = target.hasPrefix("/") ? [] : Array(components[..<index])
                components = UnionLookup.normalise(base + UnionLookup.components(target, keepDots: true)) + rest
                index = 0
                visible = layers
                continue
            }
            if index == components.count - 1 { return hit.path }
            guard hit.mode == S_IFDIR else { return nil }
            visible = below
            index += 1
        }
        return layers.isEmpty ? nil : layers[0]  // the root itself
    }

    /// `a/b/../c` → `["a", "c"]`; `..` at the root stays at the root, as in a chroot.
    static func normalise(_ parts: [String]) -> [String] {
        var out: [String] = []
        for p in parts {
            if p == "." || p.isEmpty { continue }
            if p == ".." {
                if !out.isEmpty { out.removeLast() }
                continue
            }
            out.append(p)
        }
        return out
    }

    static func components(_ path: String, keepDots: Bool = false) -> [String] {
        let parts = path.split(separator: "/").map(String.init)
        return keepDots ? parts : normalise(parts)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
