#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import CBerth

/// Unpacks a layer tar into an empty directory, safe against hostile archives.
///
/// Every entry is created relative to a directory fd reached one component at a time with
/// `O_NOFOLLOW`, so nothing is ever written through a symlink, and names are cleaned first:
///
/// - a leading `/` is dropped (`/etc/x` is the layer's `etc/x`, as Docker reads it);
/// - `..` that would climb above the layer is refused (Docker's "breakout" error);
/// - an entry under a symlink (`evil -> /etc`, then `evil/passwd`; or a chain of links) is refused;
/// - a hard link must name an earlier entry of this layer; `..` or a symlink on the way is refused;
/// - an entry replacing an existing name removes it first (a symlink replaced by a file
///   becomes that file; the write never goes through the old link);
/// - whiteouts become overlay's: `.wh.NAME` a 0/0 character device, `.wh..wh..opq` the
///   `trusted.overlay.opaque=y` xattr on its directory (both need root);
/// - device nodes need root: without it they are skipped and reported in `skipped`.
///
/// Owners are applied when running as root. Every byte read is hashed: the result's
/// `diffID` is the sha256 of the whole uncompressed stream.
package struct LayerApplier {
    package struct Result: Sendable {
        package var diffID: Digest
        package var tarSize: Int64
        /// Regular files and symlinks, each inode once (as `LayerArchiver` counts).
        package var contentSize: Int64
        /// Entries left out (device nodes without root), for a warning.
        package var skipped: [String]
    }

    package var privileged = getuid() == 0
    /// Every entry's owner instead of the archive's (`docker cp -a` into a container with a USER).
    package var owner: (uid: UInt32, gid: UInt32)?
    /// `docker cp`'s NoOverwriteDirNonDir: a directory is never replaced by a non-directory nor
    /// the reverse (a layer replaces either). Set to the destination's path, which errors name.
    package var keepTypesUnder: String?

    package init() {}

    /// Reads the tar from `fd` (uncompressed) into the empty directory `directory`.
    /// `split`, when given, records the stream for `TarSplit.replay`.
    package func apply(fd: Int32, into directory: String, split: TarSplit.Recorder? = nil) throws(BerthError) -> Result {
        let root = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw .internalError("cannot open \(directory)", detail: errnoText()) }
        defer { close(root) }
        return try apply(fd: fd, intoDirectoryFD: root, split: split)
    }

    /// Reads the tar from `fd` into the directory open as `root` (`docker cp -` extracts
    /// into a directory that need not be empty, under the same rules).
    package func apply(fd: Int32, intoDirectoryFD root: Int32, split: TarSplit.Recorder? = nil) throws(BerthError) -> Result {
        let reader = TarReader(fd: fd)
        reader.split = split
        var state = State(root: root, privileged: privileged, owner: owner, keepTypesUnder: keepTypesUnder)
        defer { state.closeCache() }
        while let entry = try reader.next() {
            try state.apply(entry, reader: reader)
        }
        let (digest, size) = try reader.finish()
        state.setDirectoryTimes()
        return Result(diffID: digest, tarSize: size, contentSize: state.contentSize, skipped: state.skipped)
    }

    /// `a/./b//c` → `["a", "b", "c"]`. Throws when `..` climbs above the layer.
    static func clean(_ name: [UInt8], original: [UInt8]? = nil) throws(BerthError) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for part in name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            if part.elementsEqual([UInt8(ascii: ".")]) { continue }
            if part.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                if out.isEmpty { throw BerthError.layerBreakout(String(decoding: original ?? name, as: UTF8.self)) }
                out.removeLast()
                continue
            }
            out.append(Array(part))
        }
        return out
    }

    /// glibc's `makedev()` (a macro Swift cannot import).
    static func makeDevice(_ major: UInt32, _ minor: UInt32) -> dev_t {
        let ma = UInt64(major), mi = UInt64(minor)
        return dev_t(((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff))
    }

    private struct State {
        let root: Int32
        let privileged: Bool
        let owner: (uid: UInt32, gid: UInt32)?
        let keepTypesUnder: String?
        var contentSize: Int64 = 0
        var skipped: [String] = []
        /// The last parent directory opened: tar entries come grouped by directory.
        var cachedPath: [[UInt8]]?
        var cachedFD: Int32 = -1
        var directoryTimes: [([UInt8], Int64)] = []

        init(root: Int32, privileged: Bool, owner: (uid: UInt32, gid: UInt32)?, keepTypesUnder: String?) {
            self.root = root
            self.privileged = privileged
            self.owner = owner
            self.keepTypesUnder = keepTypesUnder
        }

        mutating func closeCache() {
            if cachedFD >= 0 { close(cachedFD) }
            cachedFD = -1
            cachedPath = nil
        }

        mutating func apply(_ entry: TarEntry, reader: TarReader) throws(BerthError) {
            let parts = try LayerApplier.clean(entry.name)
            let shown = String(decoding: entry.name, as: UTF8.self)
            guard let name = parts.last else { return }  // `./`: the layer root itself
            let parentParts = Array(parts.dropLast())
            let path = parts.joined(separator: [UInt8(ascii: "/")]).map { $0 }

            if name.starts(with: Array(".wh.".utf8)) {
                let parent = try openParent(parentParts, shown: shown)
                if name == Array(".wh..wh..opq".utf8) {
                    guard Xattr.markOpaque(fd: parent) else { throw BerthError.whiteoutNeedsRoot(shown) }
                } else if !name.starts(with: Array(".wh..wh.".utf8)) {  // other `.wh..wh.` names are aufs metadata
                    let hidden = Array(name.dropFirst(4))
                    guard !hidden.isEmpty, hidden != [UInt8(ascii: ".")], hidden != [UInt8(ascii: "."), UInt8(ascii: ".")] else {
                        throw BerthError.layerBreakout(shown)
                    }
                    try removeExisting(parent, hidden, keepDirectory: false)
                    guard mknodat(parent, hidden.cString, S_IFCHR, 0) == 0 else {
                        if errno == EPERM { throw BerthError.whiteoutNeedsRoot(shown) }
                        throw BerthError.archiveInvalid("cannot create the whiteout for \(shown): \(errnoText())")
                    }
                }
                return
            }

            let parent = try openParent(parentParts, shown: shown)
            let cname = name.cString
            let isDir = entry.type == UInt8(ascii: "5")
            if let dest = keepTypesUnder, let existing = LayerApplier.isDirectory(parent, name), existing != isDir {
                let target = (dest == "/" ? "" : dest) + "/" + String(decoding: path, as: UTF8.self)
                throw BerthError.archiveInvalid(
                    existing
                        ? "cannot overwrite directory \"\(target)\" with non-directory \"\(dest)\""
                        : "cannot overwrite non-directory \"\(target)\" with directory \"\(dest)\"")
            }
            try removeExisting(parent, name, keepDirectory: isDir)
            switch entry.type {
            case UInt8(ascii: "5"):
                if mkdirat(parent, cname, 0o700) != 0 && errno != EEXIST {
                    throw BerthError.archiveInvalid("cannot create \(shown): \(errnoText())")
                }
                let fd = openat(parent, cname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard fd >= 0 else { throw BerthError.archiveInvalid("cannot open \(shown): \(errnoText())") }
                defer { close(fd) }
                if privileged { fchown(fd, owner?.uid ?? entry.uid, owner?.gid ?? entry.gid) }
                fchmod(fd, mode_t(entry.mode))
                try setXattrs(fd, entry)
                directoryTimes.append((path, entry.mtime))
            case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
                let fd = openat(parent, cname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw BerthError.archiveInvalid("cannot create \(shown): \(errnoText())") }
                defer { close(fd) }
                try reader.readContents(path: path) { (chunk: UnsafeRawBufferPointer) throws(BerthError) in
                    var off = 0
                    while off < chunk.count {
                        let n = write(fd, chunk.baseAddress! + off, chunk.count - off)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw BerthError.internalError("cannot write \(shown)", detail: errnoText())
                        }
                        off += n
                    }
                }
                contentSize += entry.size
                if privileged { fchown(fd, owner?.uid ?? entry.uid, owner?.gid ?? entry.gid) }
                fchmod(fd, mode_t(entry.mode))  // after chown, which clears setuid
                try setXattrs(fd, entry)
                var times = [timespec(tv_sec: Int(entry.mtime), tv_nsec: 0), timespec(tv_sec: Int(entry.mtime), tv_nsec: 0)]
                futimens(fd, &times)
            case UInt8(ascii: "2"):
                guard symlinkat(entry.linkName.cString, parent, cname) == 0 else {
                    throw BerthError.archiveInvalid("cannot create \(shown): \(errnoText())")
                }
                contentSize += Int64(entry.linkName.count)
                if privileged { fchownat(parent, cname, owner?.uid ?? entry.uid, owner?.gid ?? entry.gid, AT_SYMLINK_NOFOLLOW) }
                var times = [timespec(tv_sec: Int(entry.mtime), tv_nsec: 0), timespec(tv_sec: Int(entry.mtime), tv_nsec: 0)]
                utimensat(parent, cname, &times, AT_SYMLINK_NOFOLLOW)
            case UInt8(ascii: "1"):
                let target = try LayerApplier.clean(entry.linkName, original: entry.linkName)
                let linkShown = String(decoding: entry.linkName, as: UTF8.self)
                guard let targetName = target.last else { throw BerthError.invalidHardlink(shown, linkShown) }
                let targetParent = target.dropLast().joined(separator: [UInt8(ascii: "/")]).map { $0 }
                let tdir = targetParent.isEmpty
                    ? fcntl(root, F_DUPFD_CLOEXEC, 0)
                    : berth_openat2(root, targetParent.cString, O_RDONLY | O_DIRECTORY, SafePath.beneathNoSymlinks)
                guard tdir >= 0 else { throw BerthError.invalidHardlink(shown, linkShown) }
                defer { close(tdir) }
                var st = stat()
                guard fstatat(tdir, targetName.cString, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT != S_IFDIR,
                    linkat(tdir, targetName.cString, parent, cname, 0) == 0
                else { throw BerthError.invalidHardlink(shown, linkShown) }
            case UInt8(ascii: "3"), UInt8(ascii: "4"), UInt8(ascii: "6"):
                let kind: mode_t = entry.type == UInt8(ascii: "3") ? S_IFCHR : entry.type == UInt8(ascii: "4") ? S_IFBLK : S_IFIFO
                let dev = kind == S_IFIFO ? 0 : LayerApplier.makeDevice(entry.devMajor, entry.devMinor)
                if kind != S_IFIFO && !privileged {
                    skipped.append(shown)
                    return
                }
                guard mknodat(parent, cname, kind | mode_t(entry.mode & 0o777), dev) == 0 else {
                    if errno == EPERM {
                        skipped.append(shown)
                        return
                    }
                    throw BerthError.archiveInvalid("cannot create \(shown): \(errnoText())")
                }
                if privileged { fchownat(parent, cname, owner?.uid ?? entry.uid, owner?.gid ?? entry.gid, AT_SYMLINK_NOFOLLOW) }
                fchmodat(parent, cname, mode_t(entry.mode), 0)
                var times = [timespec(tv_sec: Int(entry.mtime), tv_nsec: 0), timespec(tv_sec: Int(entry.mtime), tv_nsec: 0)]
                utimensat(parent, cname, &times, AT_SYMLINK_NOFOLLOW)
            default:
                throw BerthError.archiveInvalid("unsupported tar entry type \(Character(Unicode.Scalar(entry.type))) for \(shown)")
            }
        }

        /// The directory `parts` names, creating missing directories (tars may omit them)
        /// and refusing a symlink or a non-directory on the way. Owned by the cache: do not close.
        mutating func openParent(_ parts: [[UInt8]], shown: String) throws(BerthError) -> Int32 {
            if parts.isEmpty { return root }
            if let cachedPath, cachedPath == parts { return cachedFD }
            var fd = fcntl(root, F_DUPFD_CLOEXEC, 0)
            for (i, part) in parts.enumerated() {
                var next = openat(fd, part.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if next < 0 && errno == ENOENT {
                    mkdirat(fd, part.cString, 0o755)
                    next = openat(fd, part.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
                if next < 0 {
                    let err = errno
                    var st = stat()
                    let isLink = fstatat(fd, part.cString, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_mode & S_IFMT == S_IFLNK
                    close(fd)
                    let prefix = String(decoding: Array(parts[...i].joined(separator: [UInt8(ascii: "/")])), as: UTF8.self)
                    if err == ELOOP || err == ENOTDIR {
                        throw BerthError.pathThroughSymlink(shown, prefix, isLink: isLink)
                    }
                    throw BerthError.archiveInvalid("cannot open \(prefix): \(String(cString: strerror(err)))")
                }
                close(fd)
                fd = next
            }
            closeCache()
            cachedPath = parts
            cachedFD = fd
            return fd
        }

        /// Makes room for a new entry `name`: an existing directory stays when the entry is
        /// one too; anything else goes (a directory with everything under it).
        mutating func removeExisting(_ parent: Int32, _ name: [UInt8], keepDirectory: Bool) throws(BerthError) {
            var st = stat()
            guard fstatat(parent, name.cString, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
            if st.st_mode & S_IFMT == S_IFDIR {
                if keepDirectory { return }
                closeCache()  // the cached directory may be inside the tree that goes
                try LayerApplier.removeTree(parent, name)
            } else if unlinkat(parent, name.cString, 0) != 0 {
                throw BerthError.archiveInvalid("cannot replace \(String(decoding: name, as: UTF8.self)): \(errnoText())")
            }
        }

        func setXattrs(_ fd: Int32, _ entry: TarEntry) throws(BerthError) {
            guard privileged || entry.xattrs.allSatisfy({ $0.0.hasPrefix("user.") }) else { return }
            for (name, value) in entry.xattrs where !name.hasPrefix("trusted.overlay.") {
                _ = Xattr.set(fd: fd, name: name, value: value)
            }
        }

        /// Directory times last, deepest first: creating entries changes a directory's mtime.
        func setDirectoryTimes() {
            for (path, mtime) in directoryTimes.reversed() {
                let fd = berth_openat2(root, path.cString, O_RDONLY | O_DIRECTORY, SafePath.beneathNoSymlinks)
                guard fd >= 0 else { continue }
                var times = [timespec(tv_sec: Int(mtime), tv_nsec: 0), timespec(tv_sec: Int(mtime), tv_nsec: 0)]
                futimens(fd, &times)
                close(fd)
            }
        }
    }

    /// Whether `parent/name` is a directory; nil when there is nothing there.
    static func isDirectory(_ parent: Int32, _ name: [UInt8]) -> Bool? {
        var st = stat()
        guard fstatat(parent, name.cString, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return st.st_mode & S_IFMT == S_IFDIR
    }

    /// `rm -rf parent/name` through fds, never following a symlink.
    static func removeTree(_ parent: Int32, _ name: [UInt8]) throws(BerthError) {
        let fd = openat(parent, name.cString, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            for child in try DirectoryEntries.sortedNames(fd) {
                var st = stat()
                guard fstatat(fd, child.cString, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                if st.st_mode & S_IFMT == S_IFDIR {
                    try removeTree(fd, child)
                } else {
                    unlinkat(fd, child.cString, 0)
                }
            }
        }
        guard unlinkat(parent, name.cString, AT_REMOVEDIR) == 0 || errno == ENOENT else {
            throw .archiveInvalid("cannot replace \(String(decoding: name, as: UTF8.self)): \(errnoText())")
        }
    }
}
