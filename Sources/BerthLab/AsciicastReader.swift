#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Why a transcript cannot be read, with the line where it went wrong.
package struct TranscriptError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        case unreadable, notAsciicast, unsupportedVersion, badEvent, outOfOrder, truncated, tooLong
    }

    package var path: String
    package var line: Int?
    package var kind: Kind
    package var message: String

    package var description: String {
        (line.map { "\(path):\($0)" } ?? path) + ": " + message
    }
}

/// Reads an asciicast v2 file one line at a time from a descriptor, so a 200 MB transcript costs
/// one line of memory. Checks what asciinema's own reader assumes (a v2 header, events of three
/// elements, time that never goes back) and follows the hash chain as it goes.
package final class AsciicastReader {
    package let path: String
    package private(set) var header: AsciicastHeader
    /// The line of the event `next()` returned last (the header is line 1).
    package private(set) var lineNumber = 1
    package private(set) var lastTime: Double = 0

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var eof = false
    private var chain: TranscriptChain?
    private var sawEnd = false
    private var unsealed = 0
    private var seals = 0
    /// The line of a Berth marker whose seal has not followed yet: the writer seals right
    /// after every marker, so anything else next means the seal was taken out.
    private var markerAwaitingSeal: Int?
    private var editedAt: (line: Int, reason: String)?

    /// Longer lines are refused: no honest event is that long, and reading one whole would defeat streaming.
    package static let maxLineBytes = 64 << 20

    /// Opens `path` and reads its header.
    package init(path: String) throws(TranscriptError) {
        self.path = path
        var st = stat()
        if stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
            throw TranscriptError(path: path, kind: .unreadable, message: "is a directory, not a transcript")
        }
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw TranscriptError(path: path, kind: .unreadable, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        header = AsciicastHeader(width: 0, height: 0)
        let first: ArraySlice<UInt8>
        do throws(TranscriptError) {
            guard let line = try readLine() else {
                throw TranscriptError(path: path, line: 1, kind: .notAsciicast, message: "is empty, not an asciicast v2 file")
            }
            first = line.bytes
        } catch {
            close(fd)
            throw error
        }
        do throws(TranscriptError) {
            header = try Self.parseHeader(first, path: path)
        } catch {
            close(fd)
            throw error
        }
        if header.berth?.chain == TranscriptChain.scheme { chain = TranscriptChain(header: Array(first)) }
    }

    deinit { close(fd) }

    static func parseHeader(_ bytes: ArraySlice<UInt8>, path: String) throws(TranscriptError) -> AsciicastHeader {
        let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        guard let object else {
            throw TranscriptError(
                path: path, line: 1, kind: .notAsciicast, message: "the first line is not a JSON header: not an asciicast v2 file")
        }
        guard let version = object["version"] as? Int else {
            throw TranscriptError(path: path, line: 1, kind: .notAsciicast, message: "the header has no \"version\": not an asciicast v2 file")
        }
        guard version == 2 else {
            throw TranscriptError(
                path: path, line: 1, kind: .unsupportedVersion,
                message: "asciicast version \(version) is not supported (only version 2)")
        }
        do {
            return try JSONDecoder().decode(AsciicastHeader.self, from: Data(bytes))
        } catch {
            throw TranscriptError(path: path, line: 1, kind: .notAsciicast, message: "the header is not valid: \(Self.describe(error))")
        }
    }

    /// The next event, or nil at the end of the file.
    package func next() throws(TranscriptError) -> AsciicastEvent? {
        while true {
            guard let (bytes, complete) = try readLine() else { return nil }
            lineNumber += 1
            if bytes.first != UInt8(ascii: "["), bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let parsed: (Double, String, String)
            do {
                parsed = try JSONText.parseEvent(bytes)
            } catch {
                if !complete {
                    throw TranscriptError(
                        path: path, line: lineNumber, kind: .truncated,
                        message: "the file ends in the middle of an event: the recording was cut off")
                }
                throw TranscriptError(path: path, line: lineNumber, kind: .badEvent, message: error.message)
            }
            guard let code = EventCode(rawValue: parsed.1) else {
                throw TranscriptError(
                    path: path, line: lineNumber, kind: .badEvent, message: "unknown event type \"\(parsed.1)\" (expected o, i, m or r)")
            }
            guard parsed.0 >= lastTime - 0.000_001 else {
                throw TranscriptError(
                    path: path, line: lineNumber, kind: .outOfOrder,
                    message: "events out of order: time \(AsciicastEvent.formatTime(parsed.0)) comes after \(AsciicastEvent.formatTime(lastTime))")
            }
            lastTime = max(lastTime, parsed.0)
            let event = AsciicastEvent(time: parsed.0, code: code, data: parsed.2)
            if chain != nil { follow(event, line: Array(bytes)) }
            return event
        }
    }

    /// What the chain says; final once `next()` has returned nil.
    package var chainStatus: ChainStatus {
        guard chain != nil else { return .none }
        if let editedAt { return .edited(line: editedAt.line, reason: editedAt.reason) }
        // A chain and events but not one seal: the seals were removed (the writer seals after
        // the first marker, every 256 events and at the end).
        if seals == 0 && lineNumber > 1 { return .edited(line: lineNumber, reason: "the file declares a hash chain but has no seal") }
        return sawEnd ? .intact : .unclosed(unsealed: unsealed)
    }

    private func follow(_ event: AsciicastEvent, line: [UInt8]) {
        guard var c = chain else { return }
        func edited(_ reason: String) { if editedAt == nil { editedAt = (lineNumber, reason) } }
        if sawEnd { edited("a line follows the end seal") }
        if event.code == .marker, let seal = TranscriptChain.parseSeal(event.data) {
            if seal.hex != c.hex { edited("the seal does not match") }
            unsealed = 0
            seals += 1
            markerAwaitingSeal = nil
            if seal.end { sawEnd = true }
        } else {
            if let m = markerAwaitingSeal { edited("the marker at line \(m) has no seal after it") }
            markerAwaitingSeal = event.code == .marker && MarkerPayload.parse(marker: event.data) != nil ? lineNumber : nil
            unsealed += 1
        }
        c.absorb(line)
        chain = c
    }

    /// One line without its newline, and whether a newline ended it.
    private func readLine() throws(TranscriptError) -> (bytes: ArraySlice<UInt8>, complete: Bool)? {
        var scanFrom = start
        while true {
            let found = buffer.withUnsafeBufferPointer { b -> Int? in
                guard scanFrom < b.count, let p = memchr(b.baseAddress! + scanFrom, 0x0A, b.count - scanFrom) else { return nil }
                return b.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }
            if let nl = found {
                let line = buffer[start..<nl]
                start = nl + 1
                return (line, true)
            }
            scanFrom = buffer.count
            if eof {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return (line, false)
            }
            if buffer.count - start > Self.maxLineBytes {
                throw TranscriptError(
                    path: path, line: lineNumber + 1, kind: .tooLong, message: "a line is longer than 64 MB: not a transcript")
            }
            // Compact before growing, so the buffer holds about one line, never the file.
            if start > 0 {
                buffer.removeSubrange(0..<start)
                scanFrom -= start
                start = 0
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 {
                throw TranscriptError(path: path, kind: .unreadable, message: "read failed: \(String(cString: strerror(errno)))")
            }
            buffer.append(contentsOf: chunk[0..<n])
            if n == 0 { eof = true }
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "\"\(key.stringValue)\" is missing"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            "\"\(c.codingPath.map(\.stringValue).joined(separator: "."))\" has the wrong type"
        default: "\(error)"
        }
    }
}
