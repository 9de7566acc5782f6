import CBerth
import Foundation

/// Runs `berth ARGS` on the slave side of a fresh PTY, as a terminal user would.
public final class PseudoTerminal: @unchecked Sendable {
    let pid: pid_t
    let master: FileHandle
    private let lock = NSLock()
    private var screen = ""
    private var exitStatus: Int32?

    public init(_ berth: BerthProcess, _ args: [String]) throws {
        var m: Int32 = -1
        var slave: Int32 = -1
        guard berth_openpty(&m, &slave) == 0 else { throw POSIXError(.EIO) }
        master = FileHandle(fileDescriptor: m, closeOnDealloc: true)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_adddup2(&actions, slave, fd) }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, 0x80)  // POSIX_SPAWN_SETSID: a session of its own, like a login shell
        let argv = [BerthProcess.binary] + args
        let env = berth.environment.map { "\($0.key)=\($0.value)" }
        var child: pid_t = 0
        let rc = withCStringArray(argv) { a in withCStringArray(env) { posix_spawn(&child, BerthProcess.binary, &actions, &attr, a, $0) } }
        close(slave)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        pid = child
        // A plain reader thread: FileHandle's readabilityHandler traps on the EIO a PTY
        // master returns once the last slave holder exits.
        let masterFD = m
        let reader = Thread { [weak self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(masterFD, &buf, buf.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0, let self else { return }
                self.lock.withLock { self.screen += String(decoding: buf[0..<n], as: UTF8.self) }
            }
        }
        reader.start()
    }

    public func type(_ text: String) { master.write(Data(text.utf8)) }

    public var output: String { lock.withLock { screen } }

    /// Waits until `text` has been printed (or 10 s pass).
    public func waitFor(_ text: String, timeout: Double = 10) -> Bool {
        waitUntil(timeout) { output.contains(text) }
    }

    /// Waits for the command to exit (10 s at most) and returns its status, or -1.
    public func waitForExit(timeout: Double = 10) -> Int32 {
        var status: Int32 = 0
        let exited = waitUntil(timeout) { waitpid(pid, &status, WNOHANG) == pid }
        guard exited else {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            return -1
        }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
