#if canImport(Glibc)
import Glibc
#endif
import BerthCore

/// Archives a directory tree as a layer tar in one pass: entries in byte order, depth
/// first, each directory before its contents, no entry for the root itself (as Docker's
/// layer tars). A file with several links is stored once and then as hard links to its
/// first name. The walk opens everything relative to directory fds with `O_NOFOLLOW`, so a
/// symlink in the tree is archived as a symlink and never followed.
package struct LayerArchiver {
    /// Forces every entry's owner (the seed images use 0:0 whoever builds them).
    package var owner: (uid: UInt32, gid: UInt32)?
    /// Turns overlay whiteouts (0/0 character devices, `trusted.overlay.opaque=y`) into
    /// the `.wh.NAME` and `.wh..wh..opq` files of a layer tar, as Docker's overlay2 does for a commit.
    package var overlayWhiteouts = false

    package init(owner: (uid: UInt32, gid: UInt32)? = nil, overlayWhiteouts: Bool = false) {
        self.owner = owner
        self.overlayWhiteouts = overlayWhiteouts
    }

    /// What one archive pass measured.
    package struct Result: Equatable, Sendable {
        /// sha256 of the uncompressed tar: the layer's DiffID.
        package var diffID: Digest
        /// Length of the tar.
        package var tarSize: Int64
        /// Bytes of the tree as Docker counts a layer's size: every non-directory once per inode.
        package var contentSize: Int64
    }

    /// Streams the tree under `directory` as a tar into `fd` (or, with -1, only hashes it).
    package func archive(directory: String, to fd: Int32 = -1) throws(BerthError) -> Result {
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw .internalError("cannot open \(directory) to archive it", detail: errnoText()) }
        defer { close(root) }
        let writer = TarWriter(fd: fd)
        var walk = Walk(archiver: self, writer: writer)
        try walk.directory(root, prefix: [])
        let (digest, size) = try writer.finish()
        return Result(diffID: digest, tarSize: size, contentSize: walk.contentSize)
    }

    /// Streams one entry of `dirfd` (a file, or a directory and everything under it) as a
    /// tar into `fd`, named `path` in the archive, as `docker cp CONTAINER:SRC -` does.
    package func archive(_ dirfd: Int32, name: [UInt8], as path: [UInt8], to fd: Int32) throws(BerthError) {
        var st = stat()
        guard fstatat(dirfd, name.cString, &st, AT_SYMLINK_NOFOLLOW) == 0 else { throw LayerArchiver.cannotOpen(path) }
        let writer = TarWriter(fd: fd)
        var walk = Walk(archiver: self, writer: writer)
        try walk.entry(dirfd, name: name, path: path, st)
        _ = try writer.finish()
    }

    /// Writes the tar to `path` (created, fsynced) and returns what was measured.
    package func archive(directory: String, toFile path: String) throws(BerthError) -> Result {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .internalError("cannot create \(path)", detail: errnoText()) }
        defer { close(fd) }
        let result = try archive(directory: directory, to: fd)
        guard fsync(fd) == 0 else { throw .internalError("cannot write \(path)", detail: errnoText()) }
        return result
    }

    private struct Walk {
        let archiver: LayerArchiver
        let writer: TarWriter
        var links = HardLinks()
        var counted: Set<InodeKey> = []
        var contentSize: Int64 = 0

        mutating func directory(_ dirfd: Int32, prefix: [UInt8]) throws(BerthError) {
            for name in try DirectoryEntries.sortedNames(dirfd) {
                var st = stat()
                guard fstatat(dirfd, name.cString, &st, AT_SYMLINK_NOFOLLOW) == 0 else {
                    throw .internalError("cannot stat \(String(decoding: prefix + name, as: UTF8.self))", detail: errnoText())
                }
                try entry(dirfd, name: name, path: prefix + name, st)
            }
        }

        mutating func entry(_ dirfd: Int32, name: [UInt8], path: [UInt8], _ st: stat) throws(BerthError) {
            let type = st.st_mode & S_IFMT
            var h = TarHeader(name: path, kind: .regular, mode: UInt32(st.st_mode & 0o7777))
            h.uid = archiver.owner?.uid ?? st.st_uid
            h.gid = archiver.owner?.gid ?? st.st_gid
            h.mtime = Int64(st.st_mtim.tv_sec)
            if type != S_IFDIR, st.st_size > 0, counted.insert(InodeKey(st)).inserted { contentSize += Int64(st.st_size) }

            if type == S_IFCHR, archiver.overlayWhiteouts, st.st_rdev == 0 {
                var wh = TarHeader(name: LayerArchiver.whiteoutName(path), kind: .regular, mode: 0o600)
                (wh.uid, wh.gid, wh.mtime) = (h.uid, h.gid, h.mtime)
                try writer.append(wh)
                return
            }
            if links.link(&h, st) {
                try writer.append(h)
                return
            }
            switch type {
            case S_IFDIR:
                h.kind = .directory
                h.name = path + [UInt8(ascii: "/")]
                try writer.append(h)
                let fd = openat(dirfd, name.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard fd >= 0 else { throw LayerArchiver.cannotOpen(path) }
                defer { close(fd) }
                if archiver.overlayWhiteouts, LayerArchiver.isOpaque(fd) {
                    var opq = TarHeader(name: h.name + Array(".wh..wh..opq".utf8), kind: .regular, mode: h.mode & 0o777)
                    (opq.uid, opq.gid, opq.mtime) = (h.uid, h.gid, h.mtime)
                    try writer.append(opq)
                }
                try directory(fd, prefix: h.name)
            default:
                try writer.appendFile(h, st, in: dirfd, name: name)
            }
        }
    }

    static func cannotOpen(_ path: [UInt8]) -> BerthError {
        .internalError("cannot open \(String(decoding: path, as: UTF8.self)) to archive it", detail: errnoText())
    }

    static func whiteoutName(_ path: [UInt8]) -> [UInt8] {
        let slash = path.lastIndex(of: UInt8(ascii: "/"))
        let dir = slash.map { Array(path[...$0]) } ?? []
        let base = slash.map { Array(path[($0 + 1)...]) } ?? path
        return dir + Array(".wh.".utf8) + base
    }

    static func isOpaque(_ fd: Int32) -> Bool {
        Xattr.isOpaque(fd)
    }

    /// glibc's `major()`/`minor()` (macros that Swift cannot import).
    static func split(device dev: UInt64) -> (major: UInt32, minor: UInt32) {
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        return (UInt32(truncatingIfNeeded: major), UInt32(truncatingIfNeeded: minor))
    }
}

extension TarWriter {
    /// A file that is not a directory, from `name` in `dirfd`: its contents for a regular file,
    /// the target of a symlink, the numbers of a device. Sockets are skipped, as Docker skips
    /// them. `header` has the name, mode, owner and time already.
    func appendFile(_ header: TarHeader, _ st: stat, in dirfd: Int32, name: [UInt8]) throws(BerthError) {
        var h = header
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            h.size = Int64(st.st_size)
            try append(h)
            guard h.size > 0 else { return }
            let fd = openat(dirfd, name.cString, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw LayerArchiver.cannotOpen(h.name) }
            defer { close(fd) }
            try appendContents(from: fd, size: h.size)
        case S_IFLNK:
            h.kind = .symlink
            h.linkName = try DirectoryEntries.readLink(dirfd, name)
            try append(h)
        case S_IFCHR, S_IFBLK:
            h.kind = st.st_mode & S_IFMT == S_IFCHR ? .characterDevice : .blockDevice
            (h.devMajor, h.devMinor) = LayerArchiver.split(device: UInt64(st.st_rdev))
            try append(h)
        case S_IFIFO:
            h.kind = .fifo
            try append(h)
        default:
            return
        }
    }
}
