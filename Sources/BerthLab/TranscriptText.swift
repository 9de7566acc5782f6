/// Terminal output made readable: escape sequences removed, CRLF as LF, a carriage return that
/// redraws a line (progress bars, readline) keeps only what was drawn last, backspace erases.
package enum TranscriptText {
    package static func strip(_ text: String) -> String {
        var lines: [[Character]] = [[]]
        var col = 0
        var it = Array(text).makeIterator()
        var pendingCR = false
        func put(_ c: Character) {
            if col < lines[lines.count - 1].count {
                lines[lines.count - 1][col] = c
            } else {
                lines[lines.count - 1].append(c)
            }
            col += 1
        }
        while let c = it.next() {
            if pendingCR {
                pendingCR = false
                if c != "\n" && c != "\r\n" { col = 0 }
            }
            switch c {
            case "\u{1B}":
                guard let k = it.next() else { break }
                if k == "[" {
                    // CSI: parameters and intermediates, then one final byte @…~.
                    while let p = it.next() {
                        guard let v = p.asciiValue, v >= 0x40, v <= 0x7E else { continue }
                        // Erase to the end of the line: what a redrawn prompt relies on.
                        if p == "K", col < lines[lines.count - 1].count { lines[lines.count - 1].removeSubrange(col...) }
                        break
                    }
                } else if k == "]" || k == "P" || k == "_" || k == "^" {
                    // OSC / DCS / APC / PM: up to BEL or ESC \.
                    while let p = it.next() {
                        if p == "\u{07}" { break }
                        if p == "\u{1B}" {
                            _ = it.next()
                            break
                        }
                    }
                } else if k == "(" || k == ")" || k == "#" {
                    _ = it.next()
                }
            case "\r\n", "\n":
                lines.append([])
                col = 0
            case "\r":
                pendingCR = true
            case "\u{08}":
                col = max(0, col - 1)
            case "\t":
                put(" ")
                while col % 8 != 0 { put(" ") }
            default:
                if let v = c.asciiValue, v < 0x20 || v == 0x7F { continue }
                put(c)
            }
        }
        return lines.map { String($0).replacing(/\s+$/, with: "") }.joined(separator: "\n")
    }
}
