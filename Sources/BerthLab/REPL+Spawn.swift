#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import BerthRuntime
import CBerth
import Foundation

/// Runs the learner's lines as child processes, each on a fresh pseudo-terminal whose bytes
/// the lab copies to and from the real one, the way `script(1)` does. That gives three things
/// at once: the command sees a terminal (so `-it` and colours behave), the lab sees what it
/// printed (for `output_contains`), and Ctrl-C — a plain byte while the real terminal is raw —
/// becomes SIGINT in the child's own session, so a hanging container never hangs the lab.
package final class PTYLineRunner: LabLineRunner {
    /// The `berth` executable (this process's own image).
    let berth: String
    /// A private directory whose `docker` and `berth` point at `berth`, first on PATH.
    let binDirectory: String
    let baseEnvironment: [String: String]
    let inFD: Int32 = 0
    let outFD: Int32 = 1
    /// The most a line's output keeps for checks; the terminal still shows everything.
    static let captureLimit = 1 << 20

    /// `berth`: the executable `docker` stands for; this process's own by default (tests pass theirs).
    package init(berth: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        self.berth = berth ?? own
        binDirectory = try LabBinDirectory.ensure(
            berth: self.berth, run: environment["BERTH_RUN"] ?? StatePaths.fromEnvironment().run)
        var env = environment
        env["PATH"] = binDirectory + ":" + (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        env["BERTH_LAB_MARKERS_FD"] = nil
        baseEnvironment = env
    }

    /// `docker ARGS` with nothing for a shell to do runs `berth` directly; anything else
    /// (pipes, `$(…)`, redirections, globs, other programs) runs in `/bin/sh -c`.
    package static func argv(for line: String, berth: String) -> [String] {
        let shellish = line.contains { "$`|&;<>()*?~\\\n#".contains($0) }
        let words = ShellWords.commands(line)
        if !shellish, words.count == 1, let first = words.first?.first, first == "docker" || first == "berth" {
            return [berth] + words[0].dropFirst()
        }
        return ["/bin/sh", "-c", line]
    }

    func environment(_ extra: [String: String]) -> [String] {
        baseEnvironment.merging(extra) { $1 }.map { "\($0.key)=\($0.value)" }
    }

    package func run(_ line: String, environment extra: [String: String]) -> CommandOutcome {
        guard isatty(inFD) == 1 else { return runQuietly(line, environment: extra, echo: true) }
        var master: Int32 = -1
        var slave: Int32 = -1
        guard berth_openpty(&master, &slave) == 0 else { return failure("cannot open a pseudo-terminal") }
        defer { close(master) }
        var name = [CChar](repeating: 0, count: 128)
        guard berth_ptsname(master, &name, name.count) == 0 else {
            close(slave)
            return failure("cannot name the pseudo-terminal")
        }
        // The child's terminal starts as a copy of ours: same size, same erase key, cooked.
        var modes = termios()
        if tcgetattr(inFD, &modes) == 0 { tcsetattr(slave, TCSANOW, &modes) }
        var lastSize = TerminalRelay.size(of: outFD) ?? TerminalRelay.size(of: inFD)
        if let s = lastSize { _ = berth_winsize_set(master, s.0, s.1) }

        let pid: pid_t
        do {
            pid = try spawn(Self.argv(for: line, berth: berth), environment: environment(extra)) { actions in
                // Opened after setsid (posix_spawn's order), so it becomes the controlling terminal.
                posix_spawn_file_actions_addopen(&actions, 0, name, O_RDWR, 0)
                posix_spawn_file_actions_adddup2(&actions, 0, 1)
                posix_spawn_file_actions_adddup2(&actions, 0, 2)
            }
        } catch {
            close(slave)
            return failure("\(error)")
        }
        close(slave)

        let raw = TerminalMode.raw(inFD)
        defer { raw?.restore() }
        let oldInt = signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, oldInt) }

        var captured: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        var status: Int32?
        var interruptedAt: Date?
        var abandoned = false
        var masterOpen = true
        while masterOpen {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0), pollfd(fd: inFD, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, 100)
            if r < 0 && errno != EINTR { break }
            if let size = TerminalRelay.size(of: outFD) ?? TerminalRelay.size(of: inFD), size != lastSize ?? (0, 0) {
                lastSize = size
                _ = berth_winsize_set(master, size.0, size.1)
            }
            if r > 0, fds[0].revents != 0 {
                let n = read(master, &buf, buf.count)
                if n > 0 {
                    var chunk = Array(buf[0..<n])
                    writeAll(outFD, &chunk)
                    if captured.count < Self.captureLimit { captured += chunk }
                } else if !(n < 0 && errno == EINTR) {
                    masterOpen = false  // EIO: the last holder of the slave side is gone
                }
            }
            if r > 0, fds[1].revents != 0 {
                let n = read(inFD, &buf, buf.count)
                if n > 0 {
                    var chunk = Array(buf[0..<n])
                    if interruptedAt == nil, chunk.contains(3), Self.signalsOnInterrupt(master) { interruptedAt = Date() }
                    writeAll(master, &chunk)
                }
            }
            // Ctrl-C became SIGINT, and berth passed it on to the container as Docker's CLI does;
            // a main process that ignores it (PID 1 without a handler: `sleep`) would keep the lab
            // waiting for ever. Stop waiting: the CLI goes, the container stays, as on a detach.
            if status == nil, let t = interruptedAt, Date().timeIntervalSince(t) > Self.interruptGrace {
                kill(-pid, SIGKILL)
                abandoned = true
                interruptedAt = nil
            }
            if status == nil, let s = reap(pid, block: false) {
                status = s
                // Something in the background may still hold the terminal (`sleep 9 &`): take
                // what is already there and stop.
                drain(master, into: &captured)
                break
            }
        }
        // Leave the cursor at the start of a line, whatever the command printed last
        // (an `/ # ` prompt after Ctrl-P Ctrl-Q, a `^C`).
        if let last = captured.last, last != UInt8(ascii: "\n") {
            var newline: [UInt8] = [13, 10]
            writeAll(outFD, &newline)
        }
        var outcome = CommandOutcome(status: status ?? reap(pid, block: true) ?? 1, output: Self.plainText(captured))
        outcome.abandoned = abandoned
        return outcome
    }

    /// How long a Ctrl-C'd command may take to end before the lab stops waiting for it.
    static let interruptGrace: TimeInterval = 3

    /// Whether Ctrl-C on this terminal is a signal (cooked mode). A raw terminal (`-it`) hands the
    /// byte to the container's own terminal, where a shell may rightly ignore it.
    static func signalsOnInterrupt(_ fd: Int32) -> Bool {
        var modes = termios()
        return tcgetattr(fd, &modes) == 0 && modes.c_lflag & tcflag_t(ISIG) != 0
    }

    package func runQuietly(_ line: String, environment extra: [String: String]) -> CommandOutcome {
        runQuietly(line, environment: extra, echo: false)
    }

    /// Output through a pipe (shown as it comes when `echo`), stdin from /dev/null.
    func runQuietly(_ line: String, environment extra: [String: String], echo: Bool) -> CommandOutcome {
        var fds: [Int32] = [-1, -1]
        guard makePipe(&fds) else { return failure("cannot create a pipe") }
        let pid: pid_t
        do {
            pid = try spawn(Self.argv(for: line, berth: berth), environment: environment(extra)) { actions in
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
                posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
            }
        } catch {
            close(fds[0])
            close(fds[1])
            return failure("\(error)")
        }
        close(fds[1])
        var captured: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var chunk = Array(buf[0..<n])
            if echo { writeAll(outFD, &chunk) }
            if captured.count < Self.captureLimit { captured += chunk }
        }
        close(fds[0])
        return CommandOutcome(status: reap(pid, block: true) ?? 1, output: Self.plainText(captured))
    }

    func failure(_ why: String) -> CommandOutcome {
        var b = Array("berth lab: \(why)\n".utf8)
        writeAll(2, &b)
        return CommandOutcome(status: 125)
    }

    /// posix_spawn in a session of its own with default signal handling; `files` arranges fds 0–2.
    func spawn(_ argv: [String], environment: [String], files: (inout posix_spawn_file_actions_t) -> Void) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        files(&actions)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGQUIT, SIGTSTP, SIGPIPE, SIGTTOU, SIGTTIN, SIGCHLD, SIGWINCH] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
        // POSIX_SPAWN_SETSID (0x80) | SETSIGMASK | SETSIGDEF
        posix_spawnattr_setflags(&attr, Int16(0x80 | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let program = argv[0]
        let rc = withCStrings(argv) { a in withCStrings(environment) { e in posix_spawn(&pid, program, &actions, &attr, a, e) } }
        guard rc == 0 else { throw BerthError(message: "cannot run \(program): \(String(cString: strerror(rc)))", exitCode: 127) }
        return pid
    }

    /// The exit status the way a shell reports it (128 + signal), or nil while it runs.
    func reap(_ pid: pid_t, block: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, block ? 0 : WNOHANG)
            if r < 0 && errno == EINTR { continue }
            if r != pid { return r < 0 ? 1 : nil }
            return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
    }

    func drain(_ fd: Int32, into captured: inout [UInt8]) {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            guard poll(&p, 1, 20) > 0, p[0].revents & Int16(POLLIN) != 0 else { return }
            let n = read(fd, &buf, buf.count)
            guard n > 0 else { return }
            var chunk = Array(buf[0..<n])
            writeAll(outFD, &chunk)
            if captured.count < Self.captureLimit { captured += chunk }
        }
    }

    /// What a terminal showed, as text: CR-LF as LF, escape sequences (colours, cursor moves) removed.
    package static func plainText(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x1b, i + 1 < bytes.count {
                if bytes[i + 1] == UInt8(ascii: "[") {
                    i += 2
                    while i < bytes.count, !(0x40...0x7e).contains(bytes[i]) { i += 1 }
                    i += 1
                    continue
                }
                if bytes[i + 1] == UInt8(ascii: "]") {  // OSC … BEL or ST
                    i += 2
                    while i < bytes.count, bytes[i] != 0x07, bytes[i] != 0x1b { i += 1 }
                    i += bytes.indices.contains(i) && bytes[i] == 0x1b ? 2 : 1
                    continue
                }
                i += 2
                continue
            }
            if b != UInt8(ascii: "\r") { out.append(b) }
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A terminal put in raw mode for as long as a child owns it, restored after.
final class TerminalMode {
    let fd: Int32
    var saved: termios

    private init(fd: Int32, saved: termios) {
        self.fd = fd
        self.saved = saved
    }

    static func raw(_ fd: Int32) -> TerminalMode? {
        var saved = termios()
        guard isatty(fd) == 1, tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        guard tcsetattr(fd, TCSADRAIN, &raw) == 0 else { return nil }
        return TerminalMode(fd: fd, saved: saved)
    }

    func restore() { tcsetattr(fd, TCSADRAIN, &saved) }
}

/// A pipe with both ends close-on-exec (`pipe2` is not in Swift's Glibc module).
func makePipe(_ fds: inout [Int32], nonBlocking: Bool = false) -> Bool {
    guard pipe(&fds) == 0 else { return false }
    for fd in fds {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }
    return true
}
