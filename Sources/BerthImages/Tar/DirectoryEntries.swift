#if canImport(Glibc)
import Glibc
#endif
import BerthCore

/// Directory reading on raw fds, names as bytes.
enum DirectoryEntries {
    /// The names in a directory except `.` and `..`, in byte order (Go's `filepath.Walk` order).
    static func sortedNames(_ dirfd: Int32) throws(BerthError) -> [[UInt8]] {
        let copy = dup(dirfd)
        guard copy >= 0, let dir = fdopendir(copy) else {
            if copy >= 0 { close(copy) }
            throw .internalError("cannot read a directory", detail: errnoText())
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [[UInt8]] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: &ent.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// The target of the symlink `name` in `dirfd`.
    static func readLink(_ dirfd: Int32, _ name: [UInt8]) throws(BerthError) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buf.withUnsafeMutableBytes {
            readlinkat(dirfd, name.cString, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count)
        }
        guard n >= 0 else { throw .internalError("cannot read a symlink", detail: errnoText()) }
        return Array(buf[..<n])
    }
}
