#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// The few file operations the image store makes, each turning failures into a `BerthError`
/// that names the path (the errno goes to `detail`, shown with `--debug`).
enum StoreFiles {
    /// Runs `body`, turning any other error into berth's internal error about `what`.
    static func attempt<T>(_ what: @autoclosure () -> String, _ body: () throws -> T) throws(BerthError) -> T {
        do {
            return try body()
        } catch let error as BerthError {
            throw error
        } catch {
            throw .internalError(what(), detail: "\(error)")
        }
    }

    /// Small metadata files (`diff`, `size`, `cache-id`, `link`, `lower`): temp + fsync + rename.
    static func writeText(_ text: String, to path: String) throws(BerthError) {
        try attempt("cannot write \(path)") { try AtomicFile.write(text, to: path) }
    }

    /// The file's text, or nil when it does not exist. Other failures throw.
    static func readText(_ path: String) throws(BerthError) -> String? {
        guard let data = try readData(path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func readData(_ path: String) throws(BerthError) -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw .imageStoreCorrupt(path, errnoText())
        }
        defer { close(fd) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .imageStoreCorrupt(path, errnoText())
            }
            if n == 0 { return data }
            data.append(contentsOf: chunk[..<n])
        }
    }

    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws(BerthError) {
        if mkdir(path, mode) != 0 && errno != EEXIST {
            throw .internalError("cannot create \(path)", detail: errnoText())
        }
        // mkdir honours the umask; the store's modes must not depend on who runs berth.
        chmod(path, mode)
    }

    static func makeDirectories(_ path: String) throws(BerthError) {
        try attempt("cannot create \(path)") { try ensureDirectory(path) }
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Flushes the filesystem that holds `path` (syncfs), so a layer tree renamed into place
    /// after it is on disk, not only its metadata files.
    static func syncFilesystem(of path: String) throws(BerthError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .internalError("cannot open \(path)", detail: errnoText()) }
        defer { close(fd) }
        guard let syncfs = LibcExtras.syncfs, syncfs(fd) == 0 else { throw .internalError("cannot sync \(path)", detail: errnoText()) }
    }

    /// Moves a finished staging directory into place. Both live under the state root, so it is one rename.
    static func rename(_ from: String, _ to: String) throws(BerthError) {
        guard Glibc.rename(from, to) == 0 else {
            throw .internalError("cannot move \(from) to \(to)", detail: errnoText())
        }
    }

    /// `rm -rf` that never follows a symlink out of the tree (FileManager removes links, not targets).
    static func removeTree(_ path: String) throws(BerthError) {
        guard exists(path) else { return }
        try attempt("cannot remove \(path)") { try FileManager.default.removeItem(atPath: path) }
    }

    /// A fresh directory `paths.tmp/<purpose>-<random>` for building something before it is renamed into place.
    static func stagingDirectory(_ paths: StatePaths, _ purpose: String) throws(BerthError) -> String {
        try makeDirectories(paths.tmp)
        let dir = paths.tmp + "/\(purpose)-\(getpid())-\(RandomID.hex(8))"
        try makeDirectory(dir, mode: 0o700)
        return dir
    }
}
