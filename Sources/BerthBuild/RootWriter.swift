#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import CBerth
import Foundation

/// Writes ADD/COPY results into an image's root file system (a mounted overlay, or a plain
/// directory for `FROM scratch`). Every container path is resolved with
/// `openat2(RESOLVE_IN_ROOT)` and every entry is created relative to a directory fd with
/// `O_NOFOLLOW`, so a symlink in the image (`/bin -> usr/bin`, or a hostile one) is followed
/// the way it would be inside the container and never leads to the host.
struct RootWriter {
    let root: Int32
    /// `--chown`, or nil: files keep the owner from the context, new ones are root's.
    var owner: (uid: uid_t, gid: gid_t)?

    static let resolveInRoot: UInt64 = 0x10

    /// Opens a directory by its path in the image; with `create`, makes the missing
    /// components (mode 0755, owned by `--chown`'s user or root), as Docker's `mkdir -p` does.
    func openDirectory(_ path: String, create: Bool) throws -> Int32 {
        let fd = berth_openat2(root, path, Int32(O_RDONLY | O_DIRECTORY | O_CLOEXEC), RootWriter.resolveInRoot)
        if fd >= 0 { return fd }
        let err = errno
        let parts = path.split(separator: "/").map(String.init)
        guard create, err == ENOENT, let leaf = parts.last else {
            throw BerthError(message: "cannot open \(path) in the image: \(String(cString: strerror(err)))", exitCode: 1)
        }
        let parent = try openDirectory("/" + parts.dropLast().joined(separator: "/"), create: true)
        defer { close(parent) }
        if mkdirat(parent, leaf, 0o755) != 0 && errno != EEXIST {
            throw BerthError(message: "mkdir \(path): \(String(cString: strerror(errno)))", exitCode: 1)
        }
        _ = fchownat(parent, leaf, owner?.uid ?? 0, owner?.gid ?? 0, AT_SYMLINK_NOFOLLOW)
        return try openDirectory(path, create: false)
    }

    /// Whether `path` exists in the image and is a directory (symlinks followed inside).
    func isDirectory(_ path: String) -> Bool {
        let fd = berth_openat2(root, path, Int32(O_RDONLY | O_DIRECTORY | O_CLOEXEC), RootWriter.resolveInRoot)
        if fd >= 0 { close(fd) }
        return fd >= 0
    }

    /// Copies the host entry `source` (not followed when it is a symlink) to `name` in `dir`;
    /// a directory's contents merge into an existing directory.
    func copy(_ source: String, to dir: Int32, name: String) throws {
        var st = stat()
        guard lstat(source, &st) == 0 else { throw BerthError(message: "lstat \(source): \(String(cString: strerror(errno)))", exitCode: 1) }
        let uid = owner?.uid ?? st.st_uid
        let gid = owner?.gid ?? st.st_gid
        var times = [st.st_atim, st.st_mtim]
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            try removeUnlessDirectory(dir, name)
            if mkdirat(dir, name, 0o700) != 0 && errno != EEXIST {
                throw BerthError(message: "mkdir \(name): \(String(cString: strerror(errno)))", exitCode: 1)
            }
            let child = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw BerthError(message: "open \(name): \(String(cString: strerror(errno)))", exitCode: 1) }
            defer { close(child) }
            for entry in try FileManager.default.contentsOfDirectory(atPath: source).sorted() {
                try copy(source + "/" + entry, to: child, name: entry)
            }
            _ = fchown(child, uid, gid)
            _ = fchmod(child, st.st_mode & 0o7777)
            _ = futimens(child, &times)
        case S_IFREG:
            try removeUnlessFile(dir, name)
            let input = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard input >= 0 else { throw BerthError(message: "open \(source): \(String(cString: strerror(errno)))", exitCode: 1) }
            defer { close(input) }
            let output = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard output >= 0 else { throw BerthError(message: "create \(name): \(String(cString: strerror(errno)))", exitCode: 1) }
            defer { close(output) }
            try pump(from: input, to: output)
            // chown before chmod: chown clears the set-id bits.
            _ = fchown(output, uid, gid)
            _ = fchmod(output, st.st_mode & 0o7777)
            _ = futimens(output, &times)
        case S_IFLNK:
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: source)
            try removeUnlessFile(dir, name)
            guard symlinkat(target, dir, name) == 0 else {
                throw BerthError(message: "symlink \(name): \(String(cString: strerror(errno)))", exitCode: 1)
            }
            _ = fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW)
            _ = utimensat(dir, name, &times, AT_SYMLINK_NOFOLLOW)
        default:
            break
        }
    }

    /// A file replaces a file or a symlink in the image, never a directory (Docker's rule).
    private func removeUnlessFile(_ dir: Int32, _ name: String) throws {
        var st = stat()
        guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            throw BerthError(message: "cannot overwrite directory \"\(name)\" with non-directory", exitCode: 1)
        }
        unlinkat(dir, name, 0)
    }

    private func removeUnlessDirectory(_ dir: Int32, _ name: String) throws {
        var st = stat()
        guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return }
        if st.st_mode & S_IFMT != S_IFDIR {
            throw BerthError(message: "cannot overwrite non-directory \"\(name)\" with directory", exitCode: 1)
        }
    }

    /// Reads a file of the image (`/etc/passwd`), nil when it is absent.
    func readFile(_ path: String) -> String? {
        let fd = berth_openat2(root, path, Int32(O_RDONLY | O_CLOEXEC), RootWriter.resolveInRoot)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// `--chown=user:group` → IDs, names looked up in the image's `/etc/passwd` and
    /// `/etc/group`; a user alone means its primary group (Docker's rule).
    func resolveOwner(_ spec: String, instruction: String) throws -> (uid: uid_t, gid: gid_t) {
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard let userPart = parts.first, !userPart.isEmpty else {
            throw BerthError(message: "\(instruction) failed: invalid --chown value \"\(spec)\"", exitCode: 1)
        }
        let passwd = (readFile("/etc/passwd") ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
        let groups = (readFile("/etc/group") ?? "").split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
        var uid: uid_t
        var gid: gid_t
        if let n = uid_t(userPart) {
            uid = n
            gid = passwd.first { $0.count > 3 && uid_t($0[2]) == n }.flatMap { gid_t($0[3]) } ?? n
        } else if let row = passwd.first(where: { $0.count > 3 && $0[0] == userPart }), let u = uid_t(row[2]), let g = gid_t(row[3]) {
            uid = u
            gid = g
        } else {
            throw BerthError(message: "\(instruction) failed: unable to convert uid/gid chown string to host mapping: can't find uid for user \(userPart): no such user: \(userPart)", exitCode: 1)
        }
        if parts.count > 1 {
            let groupPart = parts[1]
            if let n = gid_t(groupPart) {
                gid = n
            } else if let row = groups.first(where: { $0.count > 2 && $0[0] == groupPart }), let g = gid_t(row[2]) {
                gid = g
            } else {
                throw BerthError(message: "\(instruction) failed: unable to convert uid/gid chown string to host mapping: can't find gid for group \(groupPart): no such group: \(groupPart)", exitCode: 1)
            }
        }
        return (uid, gid)
    }
}
