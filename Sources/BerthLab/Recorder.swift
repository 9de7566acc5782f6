#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import BerthRuntime
import CBerth
import Foundation

/// `berth lab` as a recorder: the real terminal in raw mode, the REPL (and through it every
/// container session) on the slave side of a PTY, bytes copied both ways and written as `"o"`
/// and `"i"` events, window changes forwarded as `"r"` plus TIOCSWINSZ, and the REPL's step,
/// check and command messages (one JSON object per line on the pipe `BERTH_LAB_MARKERS_FD`)
/// written as `"m"` events in order. So the transcript is what the learner saw.
package struct Recorder {
    package var argv: [String]
    package var environment: [String: String]
    package var header: AsciicastHeader
    package var path: String
    package var redactor: TranscriptRedactor
    package var console: Console

    /// The fd number the child finds the marker pipe on.
    package static let markersFD: Int32 = 3
    package static let markersEnv = "BERTH_LAB_MARKERS_FD"
    /// Set in the child, so a nested `berth lab` does not record again.
    package static let recordingEnv = "BERTH_LAB_RECORDING"

    package init(
        argv: [String], environment: [String: String], header: AsciicastHeader, path: String,
        redactor: TranscriptRedactor, console: Console = .current
    ) {
        self.argv = argv
        self.environment = environment
        self.header = header
        self.path = path
        self.redactor = redactor
        self.console = console
    }

    /// The terminal's size, or 80×24 when there is no terminal (a pipe, a test).
    package static func terminalSize(_ console: Console) -> (cols: Int, rows: Int) {
        for fd in [console.outFD, console.inFD] {
            var rows: UInt16 = 0
            var cols: UInt16 = 0
            if isatty(fd) == 1, berth_winsize_get(fd, &rows, &cols) == 0, rows > 0, cols > 0 { return (Int(cols), Int(rows)) }
        }
        return (80, 24)
    }

    /// Runs the child to its end and returns its exit status. Throws only if the recording or
    /// the PTY cannot be set up; once the child runs, every error ends the session cleanly.
    package func run() throws -> Int32 {
        let writer = try TranscriptWriter(path: path, header: header)
        var master: Int32 = -1
        var slave: Int32 = -1
        guard berth_openpty(&master, &slave) == 0 else {
            throw BerthError(message: "cannot open a pseudo-terminal: \(String(cString: strerror(errno)))", exitCode: 125)
        }
        defer { close(master) }
        _ = berth_winsize_set(slave, UInt16(header.height), UInt16(header.width))
        var markerPipe: [Int32] = [-1, -1]
        guard berth_pipe_cloexec(&markerPipe) == 0 else {
            close(slave)
            throw BerthError(message: "cannot create the marker pipe: \(String(cString: strerror(errno)))", exitCode: 125)
        }
        let pid: pid_t
        do {
            pid = try spawnChild(slave: slave, markerWrite: markerPipe[1])
        } catch {
            close(slave)
            close(markerPipe[0])
            close(markerPipe[1])
            throw error
        }
        close(slave)
        close(markerPipe[1])
        defer { close(markerPipe[0]) }

        // A parent may have started us with signals blocked (a tmux server spawned from a
        // thread that blocks them): unblock the ones that must end or resize the session.
        var needed = sigset_t()
        sigemptyset(&needed)
        for s in [SIGHUP, SIGTERM, SIGINT, SIGQUIT, SIGWINCH, SIGCHLD] { sigaddset(&needed, s) }
        pthread_sigmask(SIG_UNBLOCK, &needed, nil)

        let raw = isatty(console.inFD) == 1 ? RawMode(fd: console.inFD) : nil
        defer { raw?.restore() }
        let winch = SignalPipe([SIGWINCH])  // the poll loop sees window changes
        defer { winch.stop() }

        var session = RecorderSession(
            master: master, markers: markerPipe[0], child: pid, writer: writer, redactor: redactor, console: console)
        session.size = (header.width, header.height)
        return session.loop(winch: winch)
    }

    private func spawnChild(slave: Int32, markerWrite: Int32) throws -> pid_t {
        // The slave by path: opened after setsid it becomes the child's controlling terminal,
        // so Ctrl-C reaches the foreground job as it would in a real terminal.
        let slavePath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(slave)")) ?? ""
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if slavePath.hasPrefix("/dev/pts/") {
            posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, slave, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        // dup2 onto the same number would keep close-on-exec; move the pipe out of the way first.
        let moved = markerWrite == Self.markersFD ? fcntl(markerWrite, F_DUPFD_CLOEXEC, 10) : -1
        defer { if moved >= 0 { close(moved) } }
        posix_spawn_file_actions_adddup2(&actions, moved >= 0 ? moved : markerWrite, Self.markersFD)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        let flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | 0x80  // 0x80: POSIX_SPAWN_SETSID
        posix_spawnattr_setflags(&attr, flags)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGWINCH, SIGINT, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTOU, SIGTTIN] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var env = environment
        env[Self.markersEnv] = String(Self.markersFD)
        env[Self.recordingEnv] = path
        let envp = env.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = withCStrings(argv) { a in withCStrings(envp) { e in posix_spawnp(&pid, argv[0], &actions, &attr, a, e) } }
        guard rc == 0 else {
            throw BerthError(message: "cannot start \(argv[0]): \(String(cString: strerror(rc)))", exitCode: rc == ENOENT ? 127 : 126)
        }
        return pid
    }
}
