import Foundation

/// The first line of an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/),
/// with Berth's own `berth` object. asciinema ignores keys it does not know, so the file stays
/// playable by `asciinema play` and `asciinema cat`.
package struct AsciicastHeader: Codable, Sendable, Equatable {
    package var version = 2
    package var width: Int
    package var height: Int
    /// Unix time the recording started.
    package var timestamp: Int?
    package var title: String?
    package var idleTimeLimit: Double?
    /// `SHELL` and `TERM`, as asciinema records them.
    package var env: [String: String]?
    package var berth: TranscriptInfo?

    enum CodingKeys: String, CodingKey {
        case version, width, height, timestamp, title, env, berth
        case idleTimeLimit = "idle_time_limit"
    }

    package init(
        width: Int, height: Int, timestamp: Int? = nil, title: String? = nil, idleTimeLimit: Double? = nil,
        env: [String: String]? = nil, berth: TranscriptInfo? = nil
    ) {
        self.width = width
        self.height = height
        self.timestamp = timestamp
        self.title = title
        self.idleTimeLimit = idleTimeLimit
        self.env = env
        self.berth = berth
    }

    /// One line of JSON, keys sorted, so the same header always gives the same bytes (the hash
    /// chain starts from them).
    package func encodedLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }
}

/// The header's `berth` object: who recorded which chapter with which lesson text.
package struct TranscriptInfo: Codable, Sendable, Equatable {
    /// Berth's version.
    package var version: String
    /// `02-containers`; nil when the session never opened a chapter at start.
    package var chapter: String?
    /// `sha256:` of the chapter's lesson.yaml, ko.md and en.md (see `LessonChecksum`).
    package var lessonChecksum: String?
    package var learner: String
    package var language: String
    /// The hash chain scheme (Documentation/Transcripts.md); nil: no chain (not recorded by Berth).
    package var chain: String?
    /// `record` when `berth lab record -- CMD` recorded any command rather than the lab REPL:
    /// its check markers could come from anything that wrote to the marker pipe.
    package var source: String?

    enum CodingKeys: String, CodingKey {
        case version, chapter, learner, language, chain, source
        case lessonChecksum = "lesson_checksum"
    }

    package init(
        version: String, chapter: String?, lessonChecksum: String?, learner: String, language: String,
        chain: String? = TranscriptChain.scheme, source: String? = nil
    ) {
        self.source = source
        self.version = version
        self.chapter = chapter
        self.lessonChecksum = lessonChecksum
        self.learner = learner
        self.language = language
        self.chain = chain
    }
}

/// The event codes of asciicast v2: output, input, marker, resize (and `x`, exit, from later
/// asciinema versions, accepted when reading).
package enum EventCode: String, Sendable, Equatable {
    case output = "o", input = "i", marker = "m", resize = "r", exit = "x"
}

/// One event line: `[time, code, data]`, time in seconds since the start.
package struct AsciicastEvent: Sendable, Equatable {
    package var time: Double
    package var code: EventCode
    package var data: String

    package init(time: Double, code: EventCode, data: String) {
        self.time = time
        self.code = code
        self.data = data
    }

    /// The exact bytes written for this event (no newline): time with microsecond precision,
    /// data escaped as JSON. Written by hand so the bytes never depend on a JSON library.
    package func encodedLine() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.utf8.count + 24)
        out.append(UInt8(ascii: "["))
        out += Array(Self.formatTime(time).utf8)
        out += Array(", \"".utf8)
        out += Array(code.rawValue.utf8)
        out += Array("\", ".utf8)
        JSONText.appendString(data, to: &out)
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// `12.345678`: whole microseconds, never exponent notation.
    package static func formatTime(_ t: Double) -> String {
        let micros = Int64((max(0, t) * 1_000_000).rounded())
        let frac = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - frac.count) + frac
    }

    /// `r` data: `COLSxROWS`, as asciinema writes it.
    package var size: (cols: Int, rows: Int)? {
        guard code == .resize else { return nil }
        let parts = data.split(separator: "x")
        guard parts.count == 2, let c = Int(parts[0]), let r = Int(parts[1]) else { return nil }
        return (c, r)
    }
}

/// JSON strings written and read by hand: fast enough for a 200 MB file, and strict about the
/// one shape an event line may have.
package enum JSONText {
    package static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out += [0x5C, 0x22]
            case UInt8(ascii: "\\"): out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            case 0x0D: out += [0x5C, UInt8(ascii: "r")]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x08: out += [0x5C, UInt8(ascii: "b")]
            case 0x0C: out += [0x5C, UInt8(ascii: "f")]
            case 0..<0x20, 0x7F:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    package struct Problem: Error, Sendable, Equatable {
        package var message: String
    }

    /// Parses `[number, "code", "data"]` (whitespace allowed between tokens).
    package static func parseEvent(_ line: ArraySlice<UInt8>) throws(Problem) -> (Double, String, String) {
        var problem: Problem?
        var parsed = ParsedEvent()
        line.withUnsafeBufferPointer { buffer in
            var p = Parser(bytes: buffer)
            do throws(Problem) {
                try p.expect(UInt8(ascii: "["), "an event must be a JSON array [time, code, data]")
                parsed.time = try p.number()
                try p.expect(UInt8(ascii: ","), "expected \",\" after the time")
                parsed.code = try p.string()
                try p.expect(UInt8(ascii: ","), "an event needs three elements [time, code, data]")
                parsed.data = try p.string()
                try p.expect(UInt8(ascii: "]"), "an event has exactly three elements [time, code, data]")
                p.skipSpace()
                if p.i != buffer.count { throw Problem(message: "unexpected text after the event") }
            } catch {
                problem = error
            }
        }
        if let problem { throw problem }
        return (parsed.time, parsed.code, parsed.data)
    }

    struct ParsedEvent {
        var time: Double = 0
        var code = ""
        var data = ""
    }

    /// Works on a raw buffer: this loop runs over every byte of a 200 MB transcript.
    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D || bytes[i] == 0x0A { i += 1 }
        }

        mutating func expect(_ c: UInt8, _ message: String) throws(Problem) {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else { throw Problem(message: message) }
            i += 1
        }

        mutating func number() throws(Problem) -> Double {
            skipSpace()
            let start = i
            while i < bytes.count, bytes[i] >= 0x30 && bytes[i] <= 0x39 || bytes[i] == 0x2E || bytes[i] == 0x2D || bytes[i] == 0x2B
                || bytes[i] == 0x65 || bytes[i] == 0x45
            {
                i += 1
            }
            guard i > start, let v = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)),
                v.isFinite
            else {
                throw Problem(message: "the time must be a number of seconds")
            }
            return v
        }

        mutating func string() throws(Problem) -> String {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Problem(message: "expected a JSON string") }
            i += 1
            let begin = i
            // The common case: no escapes, so the bytes are the string.
            while i < bytes.count, bytes[i] != 0x22, bytes[i] != 0x5C, bytes[i] >= 0x20 { i += 1 }
            if i < bytes.count, bytes[i] == 0x22 {
                let run = UnsafeBufferPointer(rebasing: bytes[begin..<i])
                i += 1
                guard let s = String(validating: run, as: UTF8.self) else {
                    throw Problem(message: "a string holds bytes that are not UTF-8")
                }
                return s
            }
            var out: [UInt8] = []
            out.reserveCapacity(i - begin + 64)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[begin..<i]))
            while true {
                guard i < bytes.count else { throw Problem(message: "a string is not closed") }
                let b = bytes[i]
                if b == 0x22 {
                    i += 1
                    break
                }
                if b < 0x20 { throw Problem(message: "a raw control character inside a string") }
                if b != 0x5C {
                    out.append(b)
                    i += 1
                    continue
                }
                i += 1
                guard i < bytes.count else { throw Problem(message: "a string is not closed") }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            out += Array("\u{FFFD}".utf8)
                            scalar = low
                        }
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out += Array(String(Character(u)).utf8)
                default: throw Problem(message: "a bad escape \\\(Character(Unicode.Scalar(e))) inside a string")
                }
            }
            // Valid JSON text is UTF-8; a byte that is not becomes a clear error, not U+FFFD.
            guard let s = String(validating: out, as: UTF8.self) else {
                throw Problem(message: "a string holds bytes that are not UTF-8")
            }
            return s
        }

        mutating func hex4() throws(Problem) -> UInt32 {
            guard i + 4 <= bytes.count,
                let v = UInt32(String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<i + 4]), as: UTF8.self), radix: 16)
            else {
                throw Problem(message: "a bad \\u escape inside a string")
            }
            i += 4
            return v
        }
    }
}
