#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import CBerth
import Foundation

/// Runs one recorded line on a fresh PTY of its own and types the recorded input into it, at the
/// recorded pace but never before the program has gone quiet: an `-it` session gets its `ls`
/// once its prompt is there, and Ctrl-P Ctrl-Q once the last command's output has settled.
struct ReplayTerminal {
    var environment: [String: String]
    var size: (cols: UInt16, rows: UInt16) = (80, 24)
    /// Seconds of silence before the next typed chunk goes in.
    var quietBeforeInput = 0.3
    /// The longest recorded pause kept between two typed chunks.
    var maxPause = 3.0
    /// How long to wait for the recorded prompt before typing anyway (a full-screen program
    /// never shows the same last line).
    var promptWait = 60.0
    /// How long a command may run after its last input before it is stopped.
    var timeout = 120.0
    /// A signal that asks the replay to stop (SIGINT, SIGTERM): the command is killed at once.
    var interrupted: () -> Int32? = { nil }
    /// Where commands run: follows the learner's `cd` at the lab prompt.
    var directory: String?

    struct Outcome {
        var status: Int32
        var output: String
        var timedOut: Bool
        var interrupted = false
        /// The size after the command's resizes: the next command starts at it.
        var size: (cols: UInt16, rows: UInt16)
    }

    func run(_ line: String, input: [TimedText]) -> Outcome {
        // A resize before anything was typed is the size the command starts at.
        var size = self.size
        var next = 0
        while next < input.count, let r = input[next].resize {
            size = Self.clamped(r)
            next += 1
        }
        var master: Int32 = -1
        var slave: Int32 = -1
        guard berth_openpty(&master, &slave) == 0 else { return Outcome(status: 125, output: "cannot open a pseudo-terminal", timedOut: false, size: size) }
        defer { close(master) }
        _ = berth_winsize_set(slave, size.rows, size.cols)
        let slavePath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(slave)")) ?? ""
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setflags(&attr, 0x80)  // POSIX_SPAWN_SETSID
        var pid: pid_t = 0
        // Glibc's addchdir_np is not visible from Swift: a first shell changes directory.
        let argv = directory.map { ["/bin/sh", "-c", #"cd "$0" && exec /bin/sh -c "$1""#, $0, line] } ?? ["/bin/sh", "-c", line]
        let envp = environment.map { "\($0.key)=\($0.value)" }
        let rc = withCStrings(argv) { a in withCStrings(envp) { e in posix_spawn(&pid, "/bin/sh", &actions, &attr, a, e) } }
        close(slave)
        guard rc == 0 else { return Outcome(status: 127, output: "cannot start /bin/sh", timedOut: false, size: size) }

        let clock = ContinuousClock()
        let start = clock.now
        func now() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        var output: [UInt8] = []
        var lastOutput = 0.0
        var lastFed = 0.0
        var lastRecorded = 0.0
        var status: Int32?
        var timedOut = false
        var buf = [UInt8](repeating: 0, count: 65536)
        var masterOpen = true
        var checkedAt = -1
        var promptSeen = false
        var typedLine = ""
        while status == nil {
            if interrupted() != nil {
                kill(-pid, SIGKILL)
                var s: Int32 = 0
                waitpid(pid, &s, 0)
                return Outcome(status: 128 + SIGKILL, output: "", timedOut: false, interrupted: true, size: size)
            }
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            if masterOpen, poll(&p, 1, 50) > 0 {
                let n = read(master, &buf, buf.count)
                if n > 0 {
                    if output.count < 1 << 20 { output += buf[0..<n] }
                    lastOutput = now()
                } else if n == 0 || errno != EINTR && errno != EAGAIN {
                    masterOpen = false
                }
            } else if !masterOpen {
                usleep(20_000)
            }
            let t = now()
            if next < input.count, let r = input[next].resize {
                // In order with the typing: TIOCSWINSZ on the master sends SIGWINCH to the
                // foreground job, and `docker run -it` passes the size on to the container.
                if t - lastFed >= min(maxPause, max(0, input[next].time - lastRecorded)) {
                    size = Self.clamped(r)
                    _ = berth_winsize_set(master, size.rows, size.cols)
                    lastRecorded = input[next].time
                    next += 1
                    checkedAt = -1
                }
            } else if next < input.count {
                let chunk = input[next]
                let pause = min(maxPause, max(0, chunk.time - lastRecorded))
                // Never type into a program that is still talking, unless it talks forever.
                let quiet = t - lastOutput >= quietBeforeInput || t - lastFed > 30
                // Type when the screen ends as it did when the learner typed (the container's
                // prompt after apt-get, not halfway through it), or give up waiting after a while.
                var ready = true
                let patience = max(promptWait, 5 * (chunk.time - lastRecorded))
                if let expected = chunk.after, t - lastFed < patience {
                    if checkedAt != output.count {
                        checkedAt = output.count
                        // The recorded line plus the echo of what was typed on it since Enter.
                        let screen = TimedText.promptLine(String(decoding: output.suffix(4096), as: UTF8.self)) ?? ""
                        let wanted = expected + TranscriptText.strip(typedLine)
                        let seen = screen.filter { !$0.isWhitespace }
                        promptSeen = seen == wanted.filter { !$0.isWhitespace } || seen == expected.filter { !$0.isWhitespace }
                    }
                    ready = promptSeen
                }
                if t - lastFed >= pause && quiet && ready {
                    if let e = chunk.after, !promptSeen, ProcessInfo.processInfo.environment["BERTH_REPLAY_DEBUG"] != nil {
                        let screen = TimedText.promptLine(String(decoding: output.suffix(4096), as: UTF8.self)) ?? ""
                        FileHandle.standardError.write(Data("replay: gave up waiting for \(e.debugDescription) + \(typedLine.debugDescription), screen \(screen.debugDescription)\n".utf8))
                    }
                    var bytes = Array(chunk.text.utf8)
                    writeAll(master, &bytes)
                    lastFed = t
                    lastRecorded = chunk.time
                    next += 1
                    typedLine += chunk.text
                    if let enter = typedLine.lastIndex(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) {
                        typedLine = String(typedLine[typedLine.index(after: enter)...])
                    }
                    checkedAt = -1
                }
            } else if t - max(lastFed, lastOutput) > timeout {
                kill(-pid, SIGKILL)
                timedOut = true
            }
            var s: Int32 = 0
            let r = waitpid(pid, &s, WNOHANG)
            if r == pid { status = s & 0x7f == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f) }
        }
        // What is still in flight after the exit.
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        while masterOpen, poll(&p, 1, 100) > 0 {
            let n = read(master, &buf, buf.count)
            guard n > 0 else { break }
            if output.count < 1 << 20 { output += buf[0..<n] }
        }
        return Outcome(status: status ?? 1, output: String(decoding: output, as: UTF8.self), timedOut: timedOut, size: size)
    }

    static func clamped(_ s: TerminalSize) -> (cols: UInt16, rows: UInt16) {
        (UInt16(clamping: max(20, s.cols)), UInt16(clamping: max(5, s.rows)))
    }
}
