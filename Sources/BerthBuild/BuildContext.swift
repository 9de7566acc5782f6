#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Crypto
import Foundation

/// The build context as the daemon would receive it: the context directory, less what
/// `.dockerignore` excludes, staged under the state root's `tmp/` (files hard-linked when
/// the file system allows, else copied). ADD and COPY read only from here, and resolve
/// every source path inside it: `..`, absolute paths and symlinks that lead out are refused.
package struct BuildContext: Sendable {
    /// The staged copy.
    package let root: String
    /// The context directory as given, absolute.
    package let hostPath: String
    /// What a tar of the context would weigh: `Sending build context to Docker daemon  2.048kB`.
    package let size: Int64

    /// Stages `context` into `dir` (which exists and is empty). `keep` names files sent
    /// whatever `.dockerignore` says (the Dockerfile and `.dockerignore` itself, as Docker does).
    package static func stage(context: String, into dir: String, keep: Set<String>) throws -> BuildContext {
        let ignoreText = (try? String(contentsOfFile: context + "/.dockerignore", encoding: .utf8)) ?? ""
        let ignore = DockerIgnore(ignoreText)
        var size: Int64 = 1024  // the tar's two zero blocks at the end
        func walk(_ rel: String) throws {
            let src = rel.isEmpty ? context : context + "/" + rel
            for name in try FileManager.default.contentsOfDirectory(atPath: src).sorted() {
                let childRel = rel.isEmpty ? name : rel + "/" + name
                var st = stat()
                guard lstat(context + "/" + childRel, &st) == 0 else { continue }
                let isDir = st.st_mode & S_IFMT == S_IFDIR
                let excluded = ignore.excludes(childRel) && !keep.contains(childRel)
                if excluded && !(isDir && ignore.hasExceptions) { continue }
                let dst = dir + "/" + childRel
                if !excluded { size += 512 + (childRel.utf8.count > 100 ? 1024 : 0) }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    // An excluded directory is still walked when an exception may bring back a
                    // path under it; it appears only if something under it does.
                    try ensureDirectory(dst, mode: Int(st.st_mode & 0o7777))
                    try walk(childRel)
                    if excluded, (try? FileManager.default.contentsOfDirectory(atPath: dst))?.isEmpty == true { rmdir(dst) }
                    _ = chown(dst, st.st_uid, st.st_gid)
                    _ = chmod(dst, st.st_mode & 0o7777)
                    setTimes(dst, st)
                case S_IFREG:
                    size += (Int64(st.st_size) + 511) / 512 * 512
                    if link(context + "/" + childRel, dst) != 0 { try copyFile(context + "/" + childRel, dst, st) }
                case S_IFLNK:
                    let target = try FileManager.default.destinationOfSymbolicLink(atPath: context + "/" + childRel)
                    _ = symlink(target, dst)
                    _ = lchown(dst, st.st_uid, st.st_gid)
                default:
                    continue  // devices, fifos and sockets are not part of a context
                }
            }
        }
        try walk("")
        return BuildContext(root: dir, hostPath: context, size: size)
    }

    static func copyFile(_ src: String, _ dst: String, _ st: stat) throws {
        let input = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else { throw BerthError(message: "cannot read \(src): \(String(cString: strerror(errno)))", exitCode: 1) }
        defer { close(input) }
        let output = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0o7777)
        guard output >= 0 else { throw BerthError(message: "cannot write \(dst): \(String(cString: strerror(errno)))", exitCode: 1) }
        defer { close(output) }
        try pump(from: input, to: output)
        _ = fchown(output, st.st_uid, st.st_gid)
        _ = fchmod(output, st.st_mode & 0o7777)
        var times = [st.st_atim, st.st_mtim]
        _ = futimens(output, &times)
    }

    static func setTimes(_ path: String, _ st: stat) {
        var times = [st.st_atim, st.st_mtim]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    // MARK: sources

    /// The context-relative paths a source argument names: one path, or every match of a
    /// wildcard. Symlinks on the way are followed inside the context.
    package func resolve(_ source: String, instruction: String) throws(BerthError) -> [String] {
        var text = source
        if text.hasPrefix("/") {
            // Docker reads `/x` as the context's `x`; a host path into the context is accepted
            // too; anything else would leave the context.
            let host = hostPath.hasSuffix("/") ? String(hostPath.dropLast()) : hostPath
            if text == host || text.hasPrefix(host + "/") {
                text = String(text.dropFirst(host.count))
            } else if (try? resolvePath(text, original: source, instruction: instruction)) == nil {
                throw .forbiddenPath(instruction, source)
            }
        }
        let parts = try lexical(text, original: source, instruction: instruction)
        let pattern = parts.joined(separator: "/")
        if pattern.contains(where: { "*?[".contains($0) }) {
            var matches: [String] = []
            collect("", into: &matches) { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }
            if matches.isEmpty { throw .init(message: "\(instruction) failed: no source files were specified", exitCode: 1) }
            return matches
        }
        return [try resolvePath(pattern, original: source, instruction: instruction)]
    }

    /// Components of `path` with `.` and `..` applied; `..` above the root leaves the context.
    func lexical(_ path: String, original: String, instruction: String) throws(BerthError) -> [String] {
        var out: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                guard !out.isEmpty else { throw .forbiddenPath(instruction, original) }
                out.removeLast()
                continue
            }
            out.append(String(part))
        }
        return out
    }

    /// Follows symlinks component by component, never out of the context.
    func resolvePath(_ path: String, original: String, instruction: String) throws(BerthError) -> String {
        var done: [String] = []
        var todo = try lexical(path, original: original, instruction: instruction)
        var hops = 0
        while !todo.isEmpty {
            let part = todo.removeFirst()
            let candidate = (done + [part]).joined(separator: "/")
            var st = stat()
            guard lstat(root + "/" + candidate, &st) == 0 else { throw .buildSourceMissing(instruction, original) }
            guard st.st_mode & S_IFMT == S_IFLNK else {
                done.append(part)
                continue
            }
            hops += 1
            guard hops < 40, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + candidate) else {
                throw .forbiddenPath(instruction, original)
            }
            var base: [String]
            var targetText = target
            if target.hasPrefix("/") {
                // An absolute target stays inside only when it points into the context directory.
                let host = hostPath.hasSuffix("/") ? String(hostPath.dropLast()) : hostPath
                guard target == host || target.hasPrefix(host + "/") else { throw .forbiddenPath(instruction, original) }
                targetText = String(target.dropFirst(host.count))
                base = []
            } else {
                base = done
            }
            for t in targetText.split(separator: "/", omittingEmptySubsequences: true) {
                if t == "." { continue }
                if t == ".." {
                    guard !base.isEmpty else { throw .forbiddenPath(instruction, original) }
                    base.removeLast()
                } else {
                    base.append(String(t))
                }
            }
            done = []
            todo = base + todo
        }
        return done.joined(separator: "/")
    }

    func collect(_ rel: String, into out: inout [String], _ keep: (String) -> Bool) {
        let dir = rel.isEmpty ? root : root + "/" + rel
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            let childRel = rel.isEmpty ? name : rel + "/" + name
            if keep(childRel) { out.append(childRel) }
            var st = stat()
            if lstat(root + "/" + childRel, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { collect(childRel, into: &out, keep) }
        }
    }

    /// sha256 over each entry's name, type, mode, owner, size, link target and content
    /// (not its times): the classic builder's `file:`/`dir:` hash, so touching a file
    /// keeps the cache and editing it does not.
    package func hash(_ rel: String) -> String {
        var hasher = SHA256()
        func entry(_ r: String, name: String) {
            var st = stat()
            guard lstat(root + "/" + r, &st) == 0 else { return }
            hasher.update(data: Data("\(name)\0\(st.st_mode)\0\(st.st_uid)\0\(st.st_gid)\0\(st.st_size)\0".utf8))
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                if let handle = FileHandle(forReadingAtPath: root + "/" + r) {
                    while let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty { hasher.update(data: chunk) }
                    try? handle.close()
                }
            case S_IFLNK:
                hasher.update(data: Data(((try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + r)) ?? "").utf8))
            case S_IFDIR:
                for child in ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + r)) ?? []).sorted() {
                    entry(r.isEmpty ? child : r + "/" + child, name: name + "/" + child)
                }
            default: break
            }
        }
        entry(rel, name: ".")
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Copies everything from one fd to another.
func pump(from input: Int32, to output: Int32) throws {
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = read(input, &buf, buf.count)
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw BerthError(message: "read: \(String(cString: strerror(errno)))", exitCode: 1) }
        if n == 0 { return }
        var off = 0
        while off < n {
            let w = buf[off..<n].withUnsafeBytes { write(output, $0.baseAddress, n - off) }
            if w < 0 && errno == EINTR { continue }
            if w <= 0 { throw BerthError(message: "write: \(String(cString: strerror(errno)))", exitCode: 1) }
            off += w
        }
    }
}
