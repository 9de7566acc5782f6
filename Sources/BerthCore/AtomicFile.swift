#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Writes that never leave half a file: temp file in the same directory, fsync, rename.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o644) throws {
        let tmp = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = try sys("open \(tmp)") { open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        var ok = false
        defer {
            close(fd)
            if !ok { unlink(tmp) }
        }
        try data.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = try sys("write \(tmp)") { Glibc.write(fd, raw.baseAddress! + off, raw.count - off) }
                off += n
            }
        }
        try sys("fsync") { fsync(fd) }
        try sys("rename \(path)") { rename(tmp, path) }
        ok = true
    }

    public static func write(_ text: String, to path: String, mode: mode_t = 0o644) throws {
        try write(Data(text.utf8), to: path, mode: mode)
    }

    /// JSON with Docker's habits: no escaped slashes, stable key order for diffs.
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try write(enc.encode(value), to: path)
    }
}

/// `mkdir -p`, quiet when the directory exists.
public func ensureDirectory(_ path: String, mode: Int = 0o755) throws {
    try FileManager.default.createDirectory(
        atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
}

/// Reads and decodes one JSON state file.
public func readJSON<T: Decodable>(_ type: T.Type, from path: String) throws -> T {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONDecoder().decode(T.self, from: data)
}
