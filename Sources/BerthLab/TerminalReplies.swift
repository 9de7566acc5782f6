/// What the terminal sends on its own rather than what the learner typed: answers to a
/// program's queries (cursor position `ESC [ 24;5 R`, device attributes `ESC [ ? 64;1 c`,
/// status `ESC [ 0 n`, window reports `… t`, mode reports `… $ y`, colours and versions in OSC
/// and DCS strings) and focus events. They still go to the program that asked, but are not
/// recorded as `"i"` input: a replay would type them into a terminal that never asked.
package enum TerminalReplies {
    /// `bytes` without the replies in them. A reply cut across two reads is kept (rare, and
    /// harmless but for the noise).
    package static func strip(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard bytes.contains(0x1B) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x1B, let end = replyEnd(bytes, at: i) {
                i = end
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out[...]
    }

    /// The index after the reply starting at `start` (an ESC), or nil when it is no reply.
    private static func replyEnd(_ b: ArraySlice<UInt8>, at start: Int) -> Int? {
        let i = start + 1
        guard i < b.endIndex else { return nil }
        switch b[i] {
        case UInt8(ascii: "["):
            var j = i + 1
            let paramsStart = j
            while j < b.endIndex, (0x30...0x3F).contains(b[j]) { j += 1 }
            let params = b[paramsStart..<j]
            let interStart = j
            while j < b.endIndex, (0x20...0x2F).contains(b[j]) { j += 1 }
            let inter = b[interStart..<j]
            guard j < b.endIndex, (0x40...0x7E).contains(b[j]) else { return nil }
            let first = params.first
            let isReply: Bool
            switch b[j] {
            case UInt8(ascii: "R"): isReply = params.contains(UInt8(ascii: ";"))  // F3 with no modifier has none
            case UInt8(ascii: "c"): isReply = first == UInt8(ascii: "?") || first == UInt8(ascii: ">") || first == UInt8(ascii: "=")
            case UInt8(ascii: "n"), UInt8(ascii: "t"): isReply = !params.isEmpty
            case UInt8(ascii: "y"): isReply = inter.contains(UInt8(ascii: "$"))
            case UInt8(ascii: "I"), UInt8(ascii: "O"): isReply = params.isEmpty && inter.isEmpty
            default: isReply = false
            }
            return isReply ? j + 1 : nil
        case UInt8(ascii: "]"), UInt8(ascii: "P"), UInt8(ascii: "_"):
            // OSC, DCS, APC: up to BEL (OSC only) or ST (ESC \); unterminated, it is typed (Alt-]).
            var j = i + 1
            while j < b.endIndex {
                if b[j] == 0x07 && b[i] == UInt8(ascii: "]") { return j + 1 }
                if b[j] == 0x1B { return j + 1 < b.endIndex && b[j + 1] == UInt8(ascii: "\\") ? j + 2 : nil }
                j += 1
            }
            return nil
        default:
            return nil
        }
    }
}
