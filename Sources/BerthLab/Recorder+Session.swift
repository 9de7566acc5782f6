#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import CBerth
import Foundation

/// The copy loop of one recording: poll the PTY master, the real terminal, the marker pipe and
/// the SIGWINCH pipe; write what passes as events.
struct RecorderSession {
    let master: Int32
    let markers: Int32
    let child: pid_t
    let writer: TranscriptWriter
    let redactor: TranscriptRedactor
    let console: Console
    var size = (80, 24)

    private let clock = ContinuousClock()
    private let started: ContinuousClock.Instant
    private var markerBuffer: [UInt8] = []
    /// The screen's current line (after the last newline), for spotting a password prompt.
    private var lastLine = ""
    /// Once input is masked, the rest of that typed line is masked too.
    private var maskingLine = false
    /// And so is the terminal's echo of it.
    private var echo = SecretEcho()
    private var pendingOutput = PendingLine()
    private var pendingInput = PendingLine()

    init(master: Int32, markers: Int32, child: pid_t, writer: TranscriptWriter, redactor: TranscriptRedactor, console: Console) {
        self.master = master
        self.markers = markers
        self.child = child
        self.writer = writer
        self.redactor = redactor
        self.console = console
        started = clock.now
    }

    var now: Double {
        let d = clock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    mutating func loop(winch: SignalPipe) -> Int32 {
        var stdinOpen = true
        var markersOpen = true
        var masterOpen = true
        var status: Int32?
        var buf = [UInt8](repeating: 0, count: 65536)
        while masterOpen && status == nil {
            var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0), pollfd(fd: winch.readFD, events: Int16(POLLIN), revents: 0)]
            if markersOpen { fds.append(pollfd(fd: markers, events: Int16(POLLIN), revents: 0)) }
            if stdinOpen { fds.append(pollfd(fd: console.inFD, events: Int16(POLLIN), revents: 0)) }
            let r = poll(&fds, nfds_t(fds.count), 100)
            if r < 0 && errno != EINTR { break }
            for f in fds where f.revents != 0 {
                if f.fd == master {
                    masterOpen = readOutput(&buf)
                } else if f.fd == winch.readFD {
                    _ = read(winch.readFD, &buf, buf.count)
                    resized()
                } else if f.fd == markers {
                    let n = read(markers, &buf, buf.count)
                    if n > 0 { gotMarkers(buf[0..<n]) } else if n == 0 || errno != EINTR { markersOpen = false }
                } else if f.fd == console.inFD {
                    let n = read(console.inFD, &buf, buf.count)
                    if n > 0 { gotInput(buf[0..<n]) } else if n == 0 || errno != EINTR { stdinOpen = false }
                }
            }
            status = reap(block: false)
        }
        // The child is gone (or closed the terminal): take what is still in flight. Containers
        // started by the lab may hold the slave open, so wait for quiet, not for EOF.
        drainOutput(&buf, quiet: 100, limit: 1000)
        if markersOpen {
            while true {
                var p = pollfd(fd: markers, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 50) > 0 else { break }
                let n = read(markers, &buf, buf.count)
                if n <= 0 { break }
                gotMarkers(buf[0..<n])
            }
        }
        flushPending(force: true)
        writer.close(at: now)
        return status ?? reap(block: true) ?? 1
    }

    /// False once the master reports EOF or EIO (every slave holder closed it).
    private mutating func readOutput(_ buf: inout [UInt8]) -> Bool {
        let n = read(master, &buf, buf.count)
        if n < 0 && (errno == EINTR || errno == EAGAIN) { return true }
        if n <= 0 { return false }
        gotOutput(buf[0..<n])
        return true
    }

    private mutating func gotOutput(_ bytes: ArraySlice<UInt8>) {
        var copy = Array(bytes)
        writeAll(console.outFD, &copy)
        let text = String(decoding: bytes, as: UTF8.self)
        if let nl = text.lastIndex(where: { $0 == "\n" || $0 == "\r\n" }) {
            lastLine = String(text[text.index(after: nl)...])
        } else {
            lastLine += text
        }
        if lastLine.count > 200 { lastLine = String(lastLine.suffix(200)) }
        let recorded = echo.mask(bytes)
        if redactor.buffersLines {
            pendingOutput.append(recorded, at: now)
            flushPending(force: false)
        } else {
            writer.output(recorded, at: now)
        }
    }

    private mutating func gotInput(_ typed: ArraySlice<UInt8>) {
        var copy = Array(typed)
        writeAll(master, &copy)
        let bytes = TerminalReplies.strip(typed)
        guard !bytes.isEmpty else { return }
        if redactor.masksSecretInput && (maskingLine || secretInputExpected()) {
            let typed = String(decoding: bytes, as: UTF8.self)
            maskingLine = !(typed.contains("\r") || typed.contains("\n"))
            echo.typed(bytes)
            // The prompt first, so the masked input follows it in the file.
            if let (text, t) = pendingOutput.take(force: true) { writer.event(.output, redactor.redact(text), at: t) }
            writer.event(.input, TranscriptRedactor.mask(typed), at: now)
            return
        }
        if redactor.buffersLines {
            pendingInput.append(bytes, at: now)
            flushPending(force: false)
        } else {
            writer.input(bytes, at: now)
        }
    }

    /// A program reading a line without echo (canonical mode, ECHO off) is reading a secret; so
    /// is one whose prompt says so. Readline turns off ICANON as well, so the REPL is not.
    private func secretInputExpected() -> Bool {
        var t = termios()
        if tcgetattr(master, &t) == 0, t.c_lflag & tcflag_t(ECHO) == 0, t.c_lflag & tcflag_t(ICANON) != 0 { return true }
        return TranscriptRedactor.isSecretPrompt(lastLine)
    }

    private mutating func gotMarkers(_ bytes: ArraySlice<UInt8>) {
        markerBuffer += bytes
        while let nl = markerBuffer.firstIndex(of: 0x0A) {
            let line = String(decoding: markerBuffer[..<nl], as: UTF8.self)
            markerBuffer.removeSubrange(...nl)
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            // The REPL printed before it sent the marker: take that output first, so the marker
            // lands after it. A non-blocking read of the master flushes the PTY's pending buffer
            // work before it reports EAGAIN, so it sees every byte written before the marker;
            // waiting any longer would take output the REPL printed after it.
            takeOutputWrittenSoFar()
            flushPending(force: true)
            if let payload = MarkerPayload.parse(json: Substring(line)) {
                writer.marker(redactor.redact(payload), at: now)
            } else {
                writer.event(.marker, redactor.redact(line), at: now)
            }
        }
    }

    private mutating func takeOutputWrittenSoFar() {
        let flags = fcntl(master, F_GETFL)
        _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(master, F_SETFL, flags) }
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(master, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            gotOutput(buf[0..<n])
        }
    }

    /// Reads the master until nothing arrives for `quiet` ms (at most `limit` ms in all).
    private mutating func drainOutput(_ buf: inout [UInt8], quiet: Int32, limit: Double) {
        let deadline = now + limit / 1000
        while now < deadline {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, quiet) > 0, readOutput(&buf) else { return }
        }
    }

    private mutating func resized() {
        let s = Recorder.terminalSize(console)
        guard s.cols != size.0 || s.rows != size.1 else { return }
        size = (s.cols, s.rows)
        // TIOCSWINSZ on the master: the kernel sends SIGWINCH to the slave's foreground job.
        _ = berth_winsize_set(master, UInt16(s.rows), UInt16(s.cols))
        flushPending(force: true)
        writer.resize(cols: s.cols, rows: s.rows, at: now)
    }

    /// With `--redact`, output and input go out a line at a time (or at a marker, a resize, the
    /// end, 4 KB), so a pattern sees a whole line even when it arrived a byte at a time, however
    /// slowly: flushing after a pause would cut a secret typed with one in two.
    private mutating func flushPending(force: Bool) {
        if let (text, t) = pendingInput.take(force: force) { writer.event(.input, redactor.redact(text), at: t) }
        if let (text, t) = pendingOutput.take(force: force) { writer.event(.output, redactor.redact(text), at: t) }
    }

    private func reap(block: Bool) -> Int32? {
        var status: Int32 = 0
        while true {
            let r = waitpid(child, &status, block ? 0 : WNOHANG)
            if r < 0 && errno == EINTR { continue }
            guard r == child else { return r < 0 ? 1 : nil }
            return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        }
    }
}

/// Bytes held until a line ends, for redaction.
struct PendingLine {
    private var bytes: [UInt8] = []
    private var since: Double?
    private var stream = UTF8Stream()

    mutating func append(_ b: ArraySlice<UInt8>, at t: Double) {
        if bytes.isEmpty { since = t }
        bytes += b
    }

    /// Whole lines (or everything, when forced or over 4 KB), decoded, with the time of their first byte.
    mutating func take(force: Bool) -> (String, Double)? {
        guard let t = since, !bytes.isEmpty else { return nil }
        var cut = bytes.count
        if !force && bytes.count < 4096 {
            guard let last = bytes.lastIndex(where: { $0 == 0x0A || $0 == 0x0D }) else { return nil }
            cut = last + 1
        }
        let text = stream.decode(bytes[..<cut])
        bytes.removeSubrange(..<cut)
        since = bytes.isEmpty ? nil : t
        return text.isEmpty ? nil : (text, t)
    }
}
