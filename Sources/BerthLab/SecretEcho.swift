/// The terminal's echo of a secret typed at a password prompt (`read -p "Password: "` echoes),
/// masked in the output as the typed secret is in the input. The echo may come from a PTY the
/// recorder cannot see (the lab runs commands on one of its own), so instead of asking whether
/// echo is on, the typed bytes are matched against the output that follows: each echoed byte
/// becomes `*` (a multi-byte character one `*`); output that does not match means nothing
/// echoes, and masking stops.
package struct SecretEcho: Sendable {
    /// Typed secret bytes whose echo has not come back yet.
    private var awaited: [UInt8] = []
    private var last: UInt8 = 0

    package init() {}

    package var isEmpty: Bool { awaited.isEmpty }

    /// Bytes typed at a secret prompt; control bytes (Enter, Backspace) are not awaited, as the
    /// terminal echoes them as something else.
    package mutating func typed(_ bytes: ArraySlice<UInt8>) {
        awaited += bytes.filter { $0 >= 0x20 && $0 != 0x7F }
        if awaited.count > 4096 { awaited.removeFirst(awaited.count - 4096) }
    }

    /// `bytes` with the echo of awaited bytes masked.
    package mutating func mask(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard !awaited.isEmpty else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            defer { last = b }
            if let next = awaited.first, b == next {
                awaited.removeFirst()
                if b & 0xC0 != 0x80 { out.append(0x2A) }
                continue
            }
            // Control bytes and the blank of Backspace's `\b \b` come between echoed bytes.
            if !(b < 0x20 || b == 0x7F || (b == 0x20 && last == 0x08)) { awaited = [] }
            out.append(b)
        }
        return out[...]
    }
}
