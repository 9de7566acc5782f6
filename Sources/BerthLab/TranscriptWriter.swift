#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// Writes a transcript as it happens: every event is one `write(2)` of one line, so a crash or a
/// closed terminal keeps everything up to that moment; seals are fsynced. Not thread-safe: one
/// recorder loop owns it.
package final class TranscriptWriter {
    package let path: String
    private let fd: Int32
    private var chain: TranscriptChain
    private var sinceSeal = 0
    private var lastTime: Double = 0
    private var closed = false
    private var outputText = UTF8Stream()
    private var inputText = UTF8Stream()
    /// `chapter/step` → its number and the chapter's step count, from the step markers.
    private var stepIndex: [String: (index: Int, total: Int?)] = [:]
    /// A seal after this many events, so an edit is caught even in a transcript that was cut off.
    package var sealEvery = 256

    /// Creates (or truncates) `path`, mode 0600 in a 0700 directory, and writes the header.
    package init(path: String, header: AsciicastHeader) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        do { if !dir.isEmpty { try ensureDirectory(dir, mode: 0o700) } } catch {
            throw BerthError.file("cannot write the transcript \(path)", error)
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw BerthError(message: "Error: cannot write the transcript \(path): \(String(cString: strerror(errno)).lowercased())", exitCode: 1)
        }
        var line = try header.encodedLine()
        chain = TranscriptChain(header: line)
        line.append(0x0A)
        writeAll(fd, &line)
    }

    deinit { if !closed { Glibc.close(fd) } }

    /// Terminal output as it came from the PTY. A UTF-8 sequence split across reads is held back
    /// until its last byte arrives; bytes that are not UTF-8 become U+FFFD, as asciinema does.
    package func output(_ bytes: ArraySlice<UInt8>, at time: Double) {
        let text = outputText.decode(bytes)
        if !text.isEmpty { event(.output, text, at: time) }
    }

    package func input(_ bytes: ArraySlice<UInt8>, at time: Double) {
        let text = inputText.decode(bytes)
        if !text.isEmpty { event(.input, text, at: time) }
    }

    package func resize(cols: Int, rows: Int, at time: Double) { event(.resize, "\(cols)x\(rows)", at: time) }

    /// A step, check or command marker; fsynced, so a crash never loses a check result.
    package func marker(_ payload: MarkerPayload, at time: Double) {
        var payload = payload
        // Check markers name the step; give them its number from the step marker, so their
        // label reads `step 2/containers/3 passed`.
        let key = (payload.chapter ?? "") + "/" + (payload.step ?? "")
        if payload.kind == "step", let i = payload.index {
            stepIndex[key] = (i, payload.total)
        } else if payload.step != nil, payload.index == nil, let known = stepIndex[key] {
            payload.index = known.index
            payload.total = payload.total ?? known.total
        }
        event(.marker, payload.markerText, at: time)
        seal(end: false, at: time)
    }

    package func event(_ code: EventCode, _ data: String, at time: Double) {
        guard !closed else { return }
        // Time never goes back, even if the caller's clock readings arrive out of order.
        lastTime = max(lastTime, time)
        append(AsciicastEvent(time: lastTime, code: code, data: data).encodedLine())
        sinceSeal += 1
        if sinceSeal >= sealEvery { seal(end: false, at: lastTime) }
    }

    /// Writes the end seal and closes the file.
    package func close(at time: Double) {
        guard !closed else { return }
        let out = outputText.flush()
        if !out.isEmpty { event(.output, out, at: time) }
        let inp = inputText.flush()
        if !inp.isEmpty { event(.input, inp, at: time) }
        seal(end: true, at: max(lastTime, time))
        closed = true
        Glibc.close(fd)
    }

    private func seal(end: Bool, at time: Double) {
        guard !closed else { return }
        append(AsciicastEvent(time: max(lastTime, time), code: .marker, data: chain.seal(end: end)).encodedLine())
        sinceSeal = 0
        fsync(fd)
    }

    private func append(_ line: [UInt8]) {
        chain.absorb(line)
        var bytes = line
        bytes.append(0x0A)
        writeAll(fd, &bytes)
    }
}

/// An incremental UTF-8 decoder: holds back an incomplete sequence at the end of a chunk.
package struct UTF8Stream: Sendable {
    private var pending: [UInt8] = []

    package init() {}

    package mutating func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var all = pending + bytes
        pending = []
        // Look back at most 3 bytes for a lead byte whose sequence is not complete yet.
        var i = all.count - 1
        while i >= 0 && i >= all.count - 3 {
            let b = all[i]
            if b & 0xC0 == 0x80 {
                i -= 1
                continue
            }
            let need = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 && b < 0xF0 ? 3 : b >= 0xC2 && b < 0xE0 ? 2 : 1
            if need > all.count - i {
                pending = Array(all[i...])
                all.removeSubrange(i...)
            }
            break
        }
        return String(decoding: all, as: UTF8.self)
    }

    package mutating func flush() -> String {
        defer { pending = [] }
        return pending.isEmpty ? "" : String(decoding: pending, as: UTF8.self)
    }
}
