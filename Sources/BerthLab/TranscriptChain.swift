import BerthImages
import Foundation

/// The per-event hash chain that lets `grade` tell a transcript edited by hand from one Berth
/// wrote. The chain runs over the exact bytes of every line:
///
///     h₀ = SHA-256("berth-transcript-chain-v1\n" ‖ header line)
///     hₙ = SHA-256(hₙ₋₁ ‖ line n)                       (hₙ₋₁ as 32 raw bytes)
///
/// Every so often, and at the end, the writer adds a seal, an ordinary marker event
/// `[t, "m", "chain sha256:<hₙ₋₁>"]` (the end seal says `… end`) that carries the value of the
/// chain *before* the seal line; the seal line is then chained like any other. asciinema plays
/// seals as markers. Without a key anyone can recompute the chain, so it catches edits by hand
/// and damage, not a determined forger (Documentation/Transcripts.md says so).
package struct TranscriptChain: Sendable, Equatable {
    package static let scheme = "sha256-v1"
    package static let sealPrefix = "chain sha256:"
    package static let endSuffix = " end"

    package private(set) var value: [UInt8]

    package init(header: [UInt8]) {
        value = Self.sha256(Array("berth-transcript-chain-v1\n".utf8) + header)
    }

    package mutating func absorb(_ line: [UInt8]) {
        value = Self.sha256(value + line)
    }

    package var hex: String { value.map { String(format: "%02x", $0) }.joined() }

    /// The seal's marker text.
    package func seal(end: Bool) -> String { Self.sealPrefix + hex + (end ? Self.endSuffix : "") }

    /// `(hex, end)` when `marker` is a seal.
    package static func parseSeal(_ marker: String) -> (hex: String, end: Bool)? {
        guard marker.hasPrefix(sealPrefix) else { return nil }
        var rest = marker.dropFirst(sealPrefix.count)
        let end = rest.hasSuffix(endSuffix)
        if end { rest = rest.dropLast(endSuffix.count) }
        guard rest.count == 64, rest.allSatisfy(\.isHexDigit) else { return nil }
        return (String(rest), end)
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        let hex = Digest.sha256(of: bytes).hex
        var out: [UInt8] = []
        out.reserveCapacity(32)
        var it = hex.utf8.makeIterator()
        while let a = it.next(), let b = it.next() {
            out.append(UInt8(Self.nibble(a) << 4 | Self.nibble(b)))
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8 { c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57 }
}

/// What the chain says about a whole file, once read.
package enum ChainStatus: Sendable, Equatable, CustomStringConvertible {
    /// Every seal matched and the file ends with the end seal.
    case intact
    /// Every seal matched, but the file does not end with the end seal: the recording was cut
    /// off (a crash, a closed terminal) or lines were removed from the end. `unsealed` events
    /// after the last seal cannot be vouched for.
    case unclosed(unsealed: Int)
    /// A seal does not match, a marker lost its seal or every seal is gone: some line at or
    /// before `line` was changed, added or removed.
    case edited(line: Int, reason: String)
    /// The header declares no chain: not written by Berth's recorder.
    case none

    package var description: String {
        switch self {
        case .intact: "intact"
        case .unclosed(let n): n == 0 ? "unclosed" : "unclosed (\(n) unsealed events)"
        case .edited(let line, let reason): "edited (line \(line): \(reason))"
        case .none: "no chain"
        }
    }

    package var isEdited: Bool { if case .edited = self { true } else { false } }
}
