#if canImport(Glibc)
import Glibc
#endif

/// An exclusive flock(2) on one file. Every CLI call and every monitor cleanup takes the
/// state lock around its read-modify-write, so concurrent `docker` calls take turns.
public final class FileLock: @unchecked Sendable {
    private let fd: Int32

    /// Blocks until the lock is held. Throws when the file cannot be opened.
    public init(path: String) throws {
        fd = try sys("open \(path)") { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        do {
            try sys("flock") { flock(fd, LOCK_EX) }
        } catch {
            close(fd)
            throw error
        }
    }

    private init(fd: Int32) { self.fd = fd }

    /// Takes the lock only if no other process holds it; nil when one does (or the file
    /// cannot be opened).
    public static func attempt(path: String) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return FileLock(fd: fd)
    }

    deinit { close(fd) }  // closing drops the lock
}

extension StatePaths {
    /// Runs `body` while holding the state lock.
    public func withLock<T>(_ body: () throws -> T) throws -> T {
        try ensureDirectory(root)
        let lock = try FileLock(path: lockFile)
        defer { withExtendedLifetime(lock) {} }
        return try body()
    }
}
