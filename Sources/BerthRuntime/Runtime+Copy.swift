import BerthCore
import BerthImages
import CBerth
import Foundation

/// One side of `docker cp`: a host path, `CONTAINER:PATH`, or `-` (a tar on stdin or stdout).
public enum CopyEndpoint: Equatable, Sendable {
    case host(String)
    case container(String, path: String)
    case stream

    /// Docker's rule: `NAME:PATH` names a container unless the part before the colon
    /// contains a slash (then it is a host path such as `./a:b`) or starts with a dot or slash.
    public init(parsing text: String) {
        if text == "-" {
            self = .stream
            return
        }
        if let colon = text.firstIndex(of: ":") {
            let head = text[..<colon]
            if !head.isEmpty, !head.contains("/"), !head.hasPrefix(".") {
                self = .container(String(head), path: String(text[text.index(after: colon)...]))
                return
            }
        }
        self = .host(text)
    }
}

/// `docker cp -a` and `-L`.
public struct CopyOptions: Sendable {
    /// Docker's archive mode: a copy to the host keeps the container's uid/gid (else it is the
    /// caller's); a copy into a container with a USER belongs to that user (else it keeps the source's).
    public var archive = false
    /// Copy what a symlink named as the source points to, not the link.
    public var followLink = false

    public init(archive: Bool = false, followLink: Bool = false) {
        (self.archive, self.followLink) = (archive, followLink)
    }
}

extension Runtime {
    /// `docker cp`: copies a file or a tree between the host and a container, or streams it
    /// as a tar (`-`). Inside the container, paths are resolved with `openat2(RESOLVE_IN_ROOT)`
    /// and entries are created relative to directory fds with `O_NOFOLLOW`, so a symlink in
    /// the container can never send a read or a write to the host.
    public func copy(from source: CopyEndpoint, to destination: CopyEndpoint, options: CopyOptions = .init()) throws {
        switch (source, destination) {
        case (.container, .container): throw BerthError.copyBetweenContainers()
        case (.host, .host), (.stream, .host), (.host, .stream), (.stream, .stream):
            throw BerthError(message: "must specify at least one container source", exitCode: 1)
        case (.container(let ref, let path), .host(let dst)):
            try withContainerSource(ref, path, options) { parent, leaf, copyName in
                let (dstParent, dstLeaf) = try hostDestination(dst, sourceName: copyName)
                defer { close(dstParent) }
                try copyEntry(from: parent, leaf, to: dstParent, dstLeaf, owner: options.archive ? .source : .caller)
            }
        case (.container(let ref, let path), .stream):
            // Named as Docker names them: the source's base name (`.` for `SRC/.`).
            try withContainerSource(ref, path, options) { parent, leaf, copyName in
                try LayerArchiver().archive(parent, name: Array(leaf.utf8), as: Array((copyName ?? ".").utf8), to: 1)
            }
        case (.stream, .container(let ref, let path)):
            try withContainerRoot(ref) { root, name in
                let dir = berth_openat2(root, path, Int32(O_RDONLY | O_DIRECTORY | O_CLOEXEC), resolveInRoot)
                guard dir >= 0 else {
                    throw BerthError(message: "destination \"\(name):\(path)\" must be a directory", exitCode: 1)
                }
                defer { close(dir) }
                var applier = LayerApplier()
                applier.keepTypesUnder = path
                if options.archive, let user = try containerUser(ref) { applier.owner = user }
                _ = try applier.apply(fd: 0, intoDirectoryFD: dir)
            }
        case (.host(let src), .container(let ref, let path)):
            let resolved = options.followLink ? (realpath(src, nil).map { p in defer { free(p) }; return String(cString: p) } ?? src) : src
            var st = stat()
            guard lstat(resolved, &st) == 0 else {
                throw BerthError(message: "lstat \(src): no such file or directory", exitCode: 1)
            }
            let (srcDir, srcLeaf) = splitPath(src)
            let (resolvedDir, resolvedLeaf) = splitPath(resolved)
            let srcParent = open(resolvedDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard srcParent >= 0 else { throw BerthError(message: "cannot open \(srcDir)", exitCode: 1) }
            defer { close(srcParent) }
            try withContainerRoot(ref) { root, name in
                let (dstParent, dstLeaf) = src.hasSuffix("/.")
                    ? try openContainerParent(root, path, container: name)
                    : try containerDestination(root, path, sourceName: srcLeaf, container: name)
                defer { close(dstParent) }
                let user = options.archive ? try containerUser(ref) : nil
                try copyEntry(from: srcParent, resolvedLeaf, to: dstParent, dstLeaf, owner: user.map { .fixed($0) } ?? .source)
            }
        }
    }

    /// The container's USER as uid/gid, nil when it runs as root by default.
    private func containerUser(_ ref: String) throws -> (uid: UInt32, gid: UInt32)? {
        let record = try container(ref)
        guard !record.config.user.isEmpty else { return nil }
        let id = try UserResolver(images: images, containerID: record.id.rawValue).resolve(record.config.user)
        return (id.uid, id.gid)
    }

    /// Opens the parent of `path` in the container (following a final symlink with `-L`,
    /// inside the container's root) and runs `body` with it, the entry's name there, and the
    /// name the copy gets (nil when `SRC/.` asked for the contents only).
    private func withContainerSource(
        _ ref: String, _ path: String, _ options: CopyOptions, _ body: (Int32, String, String?) throws -> Void
    ) throws {
        try withContainerRoot(ref) { root, name in
            var (parent, leaf) = try openContainerParent(root, path, container: name)
            defer { close(parent) }
            guard exists(parent, leaf) else { throw notFound(path, name) }
            // `SRC/.` copies the contents into DST itself rather than into DST/SRC.
            let contentsOnly = path.hasSuffix("/.") || leaf == "."
            var parentPath = splitPath(path).parent
            var hops = 0
            while options.followLink, let target = linkTarget(parent, leaf) {
                hops += 1
                guard hops <= 40 else { throw notFound(path, name) }
                let next = target.hasPrefix("/") ? target : parentPath + "/" + target
                let (fd, nextLeaf) = try openContainerParent(root, next, container: name)
                guard exists(fd, nextLeaf) else {
                    close(fd)
                    throw notFound(path, name)
                }
                close(parent)
                (parent, parentPath) = (fd, splitPath(next).parent)
                leaf = nextLeaf
            }
            // A followed link is copied under the link's own name, as Docker's `-L` does.
            try body(parent, leaf, contentsOnly ? nil : splitPath(path).leaf)
        }
    }

    /// Runs `body` with an fd of the container's root: `/proc/PID/root` while it runs, else
    /// its overlay, mounted nowhere for the duration (`ContainerLayer.withDetachedRoot`).
    func withContainerRoot<T>(_ ref: String, _ body: (Int32, String) throws -> T) throws -> T {
        let record = try container(ref)
        let name = record.displayName
        if record.state.status == .running {
            let fd = open("/proc/\(record.state.pid)/root", berth_o_path() | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw BerthError.internalError("cannot open the root of \(name)") }
            defer { close(fd) }
            return try body(fd, name)
        }
        return try images.containerLayer(containerID: record.id.rawValue).withDetachedRoot { try body($0, name) }
    }

    private func notFound(_ path: String, _ name: String) -> BerthError {
        .daemon("Could not find the file \(path) in container \(name)")
    }

    /// The parent directory of `path` inside the container, and the last component.
    private func openContainerParent(_ root: Int32, _ path: String, container: String) throws -> (Int32, String) {
        let clean = path.hasSuffix("/.") ? String(path.dropLast(2)) : path
        var (parentPath, leaf) = splitPath(clean.hasPrefix("/") ? clean : "/" + clean)
        if leaf.isEmpty || leaf == "/" { leaf = "." }
        let fd = berth_openat2(root, parentPath, Int32(O_RDONLY | O_DIRECTORY | O_CLOEXEC), resolveInRoot)
        guard fd >= 0 else { throw notFound(path, container) }
        return (fd, leaf)
    }

    /// Where a copy into the container lands: inside `path` when it is a directory, else at `path`.
    private func containerDestination(_ root: Int32, _ path: String, sourceName: String, container: String) throws
        -> (Int32, String)
    {
        let dir = berth_openat2(root, path, Int32(O_RDONLY | O_DIRECTORY | O_CLOEXEC), resolveInRoot)
        if dir >= 0 { return (dir, sourceName) }
        if path.hasSuffix("/") { throw notFound(path, container) }
        return try openContainerParent(root, path, container: container)
    }

    private func hostDestination(_ path: String, sourceName: String?) throws -> (Int32, String) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue, let sourceName {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 { return (fd, sourceName) }
        }
        let (parent, leaf) = splitPath(path)
        let fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BerthError(message: "destination directory \(parent) does not exist", exitCode: 1) }
        return (fd, leaf)
    }

    /// What `dir/name` points to, when it is a symlink.
    private func linkTarget(_ dir: Int32, _ name: String) -> String? {
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(dir, name, &target, Int(PATH_MAX))
        guard n > 0 else { return nil }
        target[n] = 0
        return String(cString: target)
    }

    private func exists(_ dir: Int32, _ name: String) -> Bool {
        var st = stat()
        return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Who owns each copy: whoever writes it, the source's owner, or a given uid/gid.
    enum CopyOwner {
        case caller, source
        case fixed((uid: UInt32, gid: UInt32))
    }

    /// Copies `srcDir/srcName` to `dstDir/dstName`, never following a symlink on either side.
    private func copyEntry(from srcDir: Int32, _ srcName: String, to dstDir: Int32, _ dstName: String, owner: CopyOwner)
        throws
    {
        var st = stat()
        try sys("lstat \(srcName)") { fstatat(srcDir, srcName, &st, AT_SYMLINK_NOFOLLOW) }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            // `SRC/.` copies the contents; either way the destination directory may already exist.
            if mkdirat(dstDir, dstName, st.st_mode & 0o7777) != 0 && errno != EEXIST {
                throw SyscallError(call: "mkdir \(dstName)", errno: .init(rawValue: errno))
            }
            let src = try sys("open \(srcName)") { openat(srcDir, srcName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            defer { close(src) }
            let dst = try sys("open \(dstName)") { openat(dstDir, dstName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            defer { close(dst) }
            for child in try directoryEntries(src) {
                try copyEntry(from: src, child, to: dst, child, owner: owner)
            }
        case S_IFREG:
            let src = try sys("open \(srcName)") { openat(srcDir, srcName, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
            defer { close(src) }
            let dst = try sys("create \(dstName)") {
                openat(dstDir, dstName, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, st.st_mode & 0o7777)
            }
            defer { close(dst) }
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = try sys("read") { read(src, &buf, buf.count) }
                if n == 0 { break }
                var chunk = Array(buf[0..<n])
                writeAll(dst, &chunk)
            }
            fchmod(dst, st.st_mode & 0o7777)
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try sys("readlink") { readlinkat(srcDir, srcName, &target, Int(PATH_MAX)) }
            target[n] = 0
            unlinkat(dstDir, dstName, 0)
            try sys("symlink \(dstName)") { symlinkat(target, dstDir, dstName) }
        default:
            return  // devices, fifos and sockets are not copied, as `docker cp` skips them
        }
        switch owner {
        case .caller: break
        case .source: fchownat(dstDir, dstName, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW)
        case .fixed(let id): fchownat(dstDir, dstName, id.uid, id.gid, AT_SYMLINK_NOFOLLOW)
        }
    }

    func directoryEntries(_ fd: Int32) throws -> [String] {
        let dup = try sys("dup") { fcntl(fd, F_DUPFD_CLOEXEC, 0) }
        guard let dir = fdopendir(dup) else {
            close(dup)
            throw SyscallError(call: "fdopendir", errno: .init(rawValue: errno))
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

/// openat2's RESOLVE_IN_ROOT (linux/openat2.h): resolve as if `dirfd` were `/`.
let resolveInRoot: UInt64 = 0x10

/// `dirname` and `basename` of a path (trailing slashes ignored): `a` → (`.`, `a`), `/a` → (`/`, `a`).
/// Foundation's `NSString` path methods trap on a one-character name such as `-`.
func splitPath(_ path: String) -> (parent: String, leaf: String) {
    var p = Substring(path)
    while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
    guard let slash = p.lastIndex(of: "/") else { return (".", String(p)) }
    let leaf = String(p[p.index(after: slash)...])
    let parent = p[..<slash]
    return (parent.isEmpty ? "/" : String(parent), leaf.isEmpty ? "/" : leaf)
}
