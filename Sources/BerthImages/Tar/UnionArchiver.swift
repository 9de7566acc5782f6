#if canImport(Glibc)
import Glibc
#endif
import BerthCore

/// Archives what overlayfs would show for a stack of layer directories, without mounting:
/// `docker export`. The topmost name wins; whiteouts (0/0 character devices, `.wh.NAME`)
/// hide names below; an opaque directory hides everything below it; directories merge.
/// Everything is opened relative to directory fds with `O_NOFOLLOW`.
package struct UnionArchiver {
    /// Layer directories, topmost first.
    package let layers: [String]

    package init(layers: [String]) {
        self.layers = layers
    }

    package func archive(to fd: Int32) throws(BerthError) {
        var fds: [Int32] = []
        defer { fds.forEach { close($0) } }
        for dir in layers {
            let f = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard f >= 0 else { throw .internalError("cannot open \(dir)", detail: errnoText()) }
            fds.append(f)
        }
        let writer = TarWriter(fd: fd)
        var links = HardLinks()
        try level(fds, prefix: [], writer: writer, links: &links)
        _ = try writer.finish()
    }

    private func level(_ fds: [Int32], prefix: [UInt8], writer: TarWriter, links: inout HardLinks) throws(BerthError) {
        var found: [[UInt8]: [(Int32, stat)]] = [:]
        var closed: Set<[UInt8]> = []
        var hidden: Set<[UInt8]> = []
        let opq = Array(".wh..wh..opq".utf8)
        let wh = Array(".wh.".utf8)
        for fd in fds {
            let names = try DirectoryEntries.sortedNames(fd)
            var hiddenHere: Set<[UInt8]> = []
            for name in names {
                if name.starts(with: wh) {
                    if name != opq { hiddenHere.insert(Array(name.dropFirst(4))) }
                    continue
                }
                if hidden.contains(name) || closed.contains(name) { continue }
                var st = stat()
                guard fstatat(fd, name.cString, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                if st.st_mode & S_IFMT == S_IFCHR && st.st_rdev == 0 {
                    hiddenHere.insert(name)
                    continue
                }
                let isDir = st.st_mode & S_IFMT == S_IFDIR
                if var seen = found[name] {
                    if isDir && seen[0].1.st_mode & S_IFMT == S_IFDIR {
                        seen.append((fd, st))
                        found[name] = seen
                    } else {
                        closed.insert(name)
                    }
                } else {
                    found[name] = [(fd, st)]
                    if !isDir { closed.insert(name) }
                }
            }
            hidden.formUnion(hiddenHere)
            if names.contains(opq) || Xattr.isOpaque(fd) { break }
        }
        for name in found.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let stack = found[name]!
            let (dirfd, st) = stack[0]
            let path = prefix + name
            let type = st.st_mode & S_IFMT
            var h = TarHeader(name: path, kind: .regular, mode: UInt32(st.st_mode & 0o7777))
            (h.uid, h.gid, h.mtime) = (st.st_uid, st.st_gid, Int64(st.st_mtim.tv_sec))
            if links.link(&h, st) {
                try writer.append(h)
                continue
            }
            switch type {
            case S_IFDIR:
                h.kind = .directory
                h.name = path + [UInt8(ascii: "/")]
                try writer.append(h)
                var subs: [Int32] = []
                defer { subs.forEach { close($0) } }
                for (parent, _) in stack {
                    let f = openat(parent, name.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if f >= 0 { subs.append(f) }
                }
                try level(subs, prefix: h.name, writer: writer, links: &links)
            default:
                try writer.appendFile(h, st, in: dirfd, name: name)
            }
        }
    }
}
