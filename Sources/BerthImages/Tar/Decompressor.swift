#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import CBerth

/// A layer blob's compression, told by its first bytes (as Docker's `DetectCompression`).
package enum Compression: String, Sendable {
    case none, gzip, zstd

    static func detect(_ head: [UInt8]) -> Compression {
        if head.starts(with: [0x1f, 0x8b]) { return .gzip }
        if head.starts(with: [0x28, 0xb5, 0x2f, 0xfd]) { return .zstd }
        return .none
    }
}

/// The uncompressed bytes of a blob file. gzip and zstd go through the host's `gzip -dc`
/// and `zstd -dc` (both in Debian's base system and as fast as zlib in-process), so the
/// package needs no compression library. `fd` is the stream to read; `finish()` reaps the
/// decompressor and throws when it failed (a truncated or corrupt blob).
package final class DecompressedStream {
    package let fd: Int32
    package let compression: Compression
    private var pid: pid_t = 0
    private var closed = false

    static let programs: [Compression: String] = [.gzip: "/bin/gzip", .zstd: "/usr/bin/zstd"]

    /// Opens `file` (a seekable fd at any offset; it is read from offset 0 and not closed).
    package init(file: Int32) throws(BerthError) {
        var head = [UInt8](repeating: 0, count: 4)
        let n = head.withUnsafeMutableBytes { pread(file, $0.baseAddress!, 4, 0) }
        compression = Compression.detect(Array(head.prefix(max(0, n))))
        guard compression != .none, let program = DecompressedStream.programs[compression] else {
            lseek(file, 0, SEEK_SET)
            let copy = fcntl(file, F_DUPFD_CLOEXEC, 0)
            guard copy >= 0 else { throw .internalError("cannot reopen the archive", detail: errnoText()) }
            fd = copy
            return
        }
        guard access(program, X_OK) == 0 else {
            throw .internalError(
                "cannot decompress a \(compression.rawValue) layer: \(program) is missing; install it with `apt-get install \(compression.rawValue)`")
        }
        lseek(file, 0, SEEK_SET)
        let input = file
        var fds: [Int32] = [-1, -1]
        guard berth_pipe_cloexec(&fds) == 0 else { throw .internalError("cannot create a pipe", detail: errnoText()) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(program), strdup("-dc"), strdup("-q"), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("LC_ALL=C"), nil]
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let rc = posix_spawn(&child, program, &actions, nil, argv, envp)
        close(fds[1])
        guard rc == 0 else {
            close(fds[0])
            throw .internalError("cannot run \(program)", detail: String(cString: strerror(rc)))
        }
        pid = child
        fd = fds[0]
    }

    /// Waits for the decompressor; throws `unexpected EOF` when it reported a damaged blob.
    /// Call after reading to EOF. Idempotent.
    package func finish() throws(BerthError) {
        guard !closed else { return }
        closed = true
        close(fd)
        guard pid > 0 else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        pid = 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw .archiveInvalid("unexpected EOF (\(compression.rawValue) stream is damaged)")
        }
    }

    deinit {
        // Abandoned after an error: closing the pipe makes the decompressor exit with EPIPE.
        if !closed { close(fd) }
        if pid > 0 {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
    }
}
