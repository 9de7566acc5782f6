import BerthCore
import CBerth
import Foundation

/// Copies bytes between the user's terminal and a container: either a monitor's attach
/// socket (framed) or an exec's PTY master (raw). Puts a TTY in raw mode for the duration
/// and handles Docker's detach sequence, Ctrl-P Ctrl-Q.
public struct TerminalRelay {
    public enum Channel {
        case framed(AttachConnection)
        case pty(Int32)
    }

    public enum Outcome: Equatable {
        case exited(Int32)
        case detached
        /// The other side closed without an exit code (a PTY's EOF, a monitor that died).
        case closed
    }

    let console: Console
    let tty: Bool
    let forwardStdin: Bool
    /// Docker's sig-proxy: the container whose init gets the signals sent to the CLI.
    let signalTarget: ContainerRecord?

    /// What docker/cli's ForwardAllSignals passes on: everything but SIGCHLD, SIGPIPE, SIGURG
    /// and SIGWINCH, less what cannot be caught (KILL, STOP) and the synchronous faults
    /// (SEGV, ILL, ...), which are this process's own crashes.
    static let proxiedSignals: [Int32] = [
        SIGHUP, SIGINT, SIGQUIT, SIGABRT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGSTKFLT, SIGCONT,
        SIGTSTP, SIGTTIN, SIGTTOU, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
    ]

    public init(console: Console, tty: Bool, forwardStdin: Bool, signalTarget: ContainerRecord? = nil) {
        self.console = console
        self.tty = tty
        self.forwardStdin = forwardStdin
        self.signalTarget = signalTarget
    }

    public func run(_ channel: Channel) -> Outcome {
        let raw = tty && forwardStdin && isatty(console.inFD) == 1 ? RawMode(fd: console.inFD) : nil
        defer { raw?.restore() }
        let proxy = signalTarget.map { _ in SignalPipe(Self.proxiedSignals, unblock: true) }
        defer { proxy?.stop() }
        var lastSize = terminalSize()
        if tty, let size = lastSize { resize(channel, size) }

        var stdinOpen = forwardStdin
        var heldCtrlP = false
        var buf = [UInt8](repeating: 0, count: 65536)
        let outFD: Int32
        switch channel {
        case .framed(let c): outFD = c.fd
        case .pty(let m): outFD = m
        }
        while true {
            var fds = [pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)]
            if let proxy { fds.append(pollfd(fd: proxy.readFD, events: Int16(POLLIN), revents: 0)) }
            let stdinIndex = stdinOpen ? fds.count : nil
            if stdinOpen { fds.append(pollfd(fd: console.inFD, events: Int16(POLLIN), revents: 0)) }
            let r = poll(&fds, nfds_t(fds.count), tty ? 250 : -1)
            if r < 0 && errno != EINTR { return .closed }
            if tty, let size = terminalSize(), size != lastSize ?? (0, 0) {
                lastSize = size
                resize(channel, size)
            }
            if r <= 0 { continue }
            if let proxy, let target = signalTarget {
                while let signal = proxy.pending() { target.signalInit(signal) }
            }

            if fds[0].revents != 0 {
                switch channel {
                case .framed(let c):
                    guard let frames = c.readFrames() else { return .closed }
                    for f in frames {
                        switch f {
                        case .stdout(var b): writeAll(console.outFD, &b)
                        case .stderr(var b): writeAll(console.errFD, &b)
                        case .exit(let code): return .exited(code)
                        }
                    }
                case .pty(let m):
                    let n = read(m, &buf, buf.count)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return .closed }  // EIO once the last slave holder exits
                    var out = Array(buf[0..<n])
                    writeAll(console.outFD, &out)
                }
            }
            if let i = stdinIndex, fds[i].revents != 0 {
                let n = read(console.inFD, &buf, buf.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    stdinOpen = false
                    if case .framed(let c) = channel { c.closeStdin() }
                    continue
                }
                var input: [UInt8] = []
                for byte in buf[0..<n] {
                    if tty && heldCtrlP {
                        heldCtrlP = false
                        if byte == 0x11 { return .detached }  // Ctrl-Q after Ctrl-P
                        input.append(0x10)
                    }
                    if tty && byte == 0x10 {
                        heldCtrlP = true
                        continue
                    }
                    input.append(byte)
                }
                if !input.isEmpty { send(channel, input) }
            }
        }
    }

    private func send(_ channel: Channel, _ bytes: [UInt8]) {
        switch channel {
        case .framed(let c): c.sendStdin(bytes)
        case .pty(let m):
            var b = bytes
            writeAll(m, &b)
        }
    }

    private func resize(_ channel: Channel, _ size: (UInt16, UInt16)) {
        switch channel {
        case .framed(let c): c.resize(rows: size.0, cols: size.1)
        case .pty(let m): _ = berth_winsize_set(m, size.0, size.1)
        }
    }

    private func terminalSize() -> (UInt16, UInt16)? {
        TerminalRelay.size(of: console.outFD) ?? TerminalRelay.size(of: console.inFD)
    }

    public static func size(of fd: Int32) -> (UInt16, UInt16)? {
        var rows: UInt16 = 0
        var cols: UInt16 = 0
        guard isatty(fd) == 1, berth_winsize_get(fd, &rows, &cols) == 0, rows > 0 else { return nil }
        return (rows, cols)
    }
}

/// The terminal in raw mode (no echo, no line editing, no signals from keys), restored on exit.
/// Shared by the attach relay and the lab's session recorder.
package final class RawMode {
    private let fd: Int32
    private var saved = termios()
    private var active = false

    package init(fd: Int32) {
        self.fd = fd
        guard tcgetattr(fd, &saved) == 0 else { return }
        var raw = saved
        cfmakeraw(&raw)
        active = tcsetattr(fd, TCSADRAIN, &raw) == 0
    }

    package func restore() {
        if active { tcsetattr(fd, TCSADRAIN, &saved) }
        active = false
    }
}
