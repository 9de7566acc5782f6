import BerthCore
import Crypto
import Foundation

/// A content digest, always `sha256:` and 64 lowercase hex digits: image IDs, DiffIDs, ChainIDs.
package struct Digest: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The 64 hex digits, without `sha256:`.
    package let hex: String

    /// Accepts exactly 64 lowercase hex digits.
    package init?(hex: String) {
        guard Digest.isHex64(hex) else { return nil }
        self.hex = hex
    }

    /// Parses `sha256:<64 hex>`, with go-digest's errors for anything else.
    package init(parsing text: String) throws(BerthError) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw .invalidDigest("invalid checksum digest format")
        }
        let algorithm = text[..<colon]
        let encoded = String(text[text.index(after: colon)...])
        guard algorithm == "sha256" else {
            let wellFormed = algorithm.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+._-".contains($0)) }
            throw .invalidDigest(wellFormed ? "unsupported digest algorithm" : "invalid checksum digest format")
        }
        guard !encoded.isEmpty else { throw .invalidDigest("invalid checksum digest format") }
        // go-digest checks the length before the alphabet.
        guard encoded.utf8.count == 64 else { throw .invalidDigest("invalid checksum digest length") }
        guard encoded.utf8.allSatisfy(Digest.isLowerHex) else {
            throw .invalidDigest("invalid checksum digest format")
        }
        hex = encoded
    }

    /// `sha256:<hex>`, as Docker prints and stores it.
    package var string: String { "sha256:" + hex }
    package var description: String { string }
    /// The 12 characters `docker images` shows.
    package var short: String { String(hex.prefix(12)) }

    package static func < (a: Digest, b: Digest) -> Bool { a.hex < b.hex }

    /// The sha256 of `bytes`.
    package static func sha256<D: DataProtocol>(of bytes: D) -> Digest {
        Digest(SHA256.hash(data: bytes))
    }

    /// The sha256 of a string's UTF-8 bytes (ChainIDs hash text).
    package static func sha256(of text: String) -> Digest {
        sha256(of: Data(text.utf8))
    }

    /// ChainID(n) = sha256(ChainID(n-1) + " " + DiffID(n)); ChainID(1) = DiffID(1).
    package static func chainIDs(_ diffIDs: [Digest]) -> [Digest] {
        var out: [Digest] = []
        for d in diffIDs { out.append(chainID(parent: out.last, diffID: d)) }
        return out
    }

    /// The ChainID of layer `diffID` on top of the layer whose ChainID is `parent`.
    package static func chainID(parent: Digest?, diffID: Digest) -> Digest {
        parent.map { sha256(of: $0.string + " " + diffID.string) } ?? diffID
    }

    init(_ digest: SHA256.Digest) {
        hex = digest.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }

    static func isHex64(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy(isLowerHex)
    }

    static func isLowerHex(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
    }

    package init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Digest(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error): \(text)"))
        }
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(string)
    }
}
