#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Crypto

/// One entry of a tar stream, after PAX and GNU long-name records have been folded in.
package struct TarEntry: Sendable {
    /// As written in the archive (not yet cleaned); bytes, since names need not be UTF-8.
    package var name: [UInt8]
    /// The type flag: `0` file, `1` hard link, `2` symlink, `3`/`4` devices, `5` directory, `6` fifo.
    package var type: UInt8
    package var mode: UInt32
    package var uid: UInt32
    package var gid: UInt32
    package var size: Int64
    package var mtime: Int64
    package var linkName: [UInt8]
    package var devMajor: UInt32
    package var devMinor: UInt32
    /// `SCHILY.xattr.*` PAX records: name → value.
    package var xattrs: [(String, [UInt8])]

    package var isRegular: Bool { type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7") }
}

/// Reads a tar stream from a file descriptor, one entry at a time, hashing every byte it
/// consumes (so the sha256 at the end is the layer's DiffID) and, when asked, recording
/// everything but file contents in a `TarSplit` so the exact stream can be rebuilt later.
/// ustar, GNU (`L`/`K` long names, base-256 numbers) and PAX (`x`; `g` is skipped).
package final class TarReader {
    private let fd: Int32
    private var hasher = SHA256()
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var eof = false
    private(set) package var bytesRead: Int64 = 0
    /// Contents of the current entry not yet consumed.
    private var remaining: Int64 = 0
    private var padding: Int64 = 0
    package var split: TarSplit.Recorder?

    static let block = 512

    /// `fd` is read but not closed.
    package init(fd: Int32, bufferSize: Int = 1 << 20) {
        self.fd = fd
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The next entry, or nil after the end-of-archive blocks. Skips what is left of the
    /// previous entry's contents first.
    package func next() throws(BerthError) -> TarEntry? {
        try skipContents()
        var longName: [UInt8]?
        var longLink: [UInt8]?
        var pax: [String: [UInt8]] = [:]
        var xattrs: [(String, [UInt8])] = []
        while true {
            guard let header = try readExact(TarReader.block, raw: true) else {
                if longName != nil || !pax.isEmpty { throw TarReader.truncated }
                return nil  // EOF without end blocks: Go's reader accepts it, so do we
            }
            if header.allSatisfy({ $0 == 0 }) {
                _ = try readExact(TarReader.block, raw: true)  // the second zero block, if any
                return nil
            }
            guard TarReader.checksumOK(header) else {
                throw BerthError.archiveInvalid("archive/tar: invalid tar header")
            }
            let type = header[156]
            var size = try TarReader.number(header[124..<136])
            switch type {
            case UInt8(ascii: "L"), UInt8(ascii: "K"), UInt8(ascii: "x"), UInt8(ascii: "g"):
                guard size >= 0, size < 1 << 20 else { throw BerthError.archiveInvalid("archive/tar: header too large") }
                guard let body = try readExact(Int(size), raw: true) else { throw TarReader.truncated }
                try skipPadding(size, raw: true)
                let trimmed = Array(body.prefix { $0 != 0 })
                if type == UInt8(ascii: "L") { longName = trimmed }
                if type == UInt8(ascii: "K") { longLink = trimmed }
                if type == UInt8(ascii: "x") {
                    for (k, v) in try TarReader.paxRecords(body) {
                        if k.hasPrefix("SCHILY.xattr.") {
                            xattrs.append((String(k.dropFirst("SCHILY.xattr.".count)), v))
                        } else {
                            pax[k] = v
                        }
                    }
                }
                continue
            default:
                break
            }
            let magic = Array(header[257..<263])
            var name = TarReader.cString(header[0..<100])
            if magic == Array("ustar\0".utf8) {
                let prefix = TarReader.cString(header[345..<500])
                if !prefix.isEmpty { name = prefix + [UInt8(ascii: "/")] + name }
            }
            if let longName { name = longName }
            if let p = pax["path"] { name = p }
            var link = longLink ?? TarReader.cString(header[157..<257])
            if let l = pax["linkpath"] { link = l }
            if let s = pax["size"].flatMap({ Int64(String(decoding: $0, as: UTF8.self)) }) { size = s }
            var uid = try TarReader.number(header[108..<116])
            var gid = try TarReader.number(header[116..<124])
            if let v = pax["uid"].flatMap({ Int64(String(decoding: $0, as: UTF8.self)) }) { uid = v }
            if let v = pax["gid"].flatMap({ Int64(String(decoding: $0, as: UTF8.self)) }) { gid = v }
            var mtime = try TarReader.number(header[136..<148])
            if let v = pax["mtime"].flatMap({ Double(String(decoding: $0, as: UTF8.self)) }) { mtime = Int64(v.rounded(.down)) }
            guard size >= 0, uid >= 0, gid >= 0, uid <= Int64(UInt32.max), gid <= Int64(UInt32.max) else {
                throw BerthError.archiveInvalid("archive/tar: invalid tar header")
            }
            let entry = TarEntry(
                name: name, type: type, mode: UInt32(truncatingIfNeeded: try TarReader.number(header[100..<108])) & 0o7777,
                uid: UInt32(uid), gid: UInt32(gid), size: size, mtime: mtime, linkName: link,
                devMajor: UInt32(truncatingIfNeeded: try TarReader.number(header[329..<337])),
                devMinor: UInt32(truncatingIfNeeded: try TarReader.number(header[337..<345])), xattrs: xattrs)
            // Only regular files carry contents; a size on a link or directory is skipped raw.
            remaining = size
            padding = TarReader.padding(size)
            if !entry.isRegular { try skipContents() }
            return entry
        }
    }

    /// Calls `body` with consecutive chunks of the current entry's contents until it is
    /// consumed. The split records them as the file `path` (in the extracted tree).
    package func readContents(path: [UInt8], _ body: (UnsafeRawBufferPointer) throws(BerthError) -> Void) throws(BerthError) {
        if remaining > 0 { split?.file(path: path, size: remaining) }
        while remaining > 0 {
            try fill()
            guard end > start else { throw TarReader.truncated }
            let n = Int(min(Int64(end - start), remaining))
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + n)])
            hasher.update(bufferPointer: chunk)
            try body(chunk)
            start += n
            bytesRead += Int64(n)
            remaining -= Int64(n)
        }
        try skipRaw(padding)
        padding = 0
    }

    /// Consumes what is left of the current entry's contents without extracting them; the
    /// split keeps them as raw bytes, so the stream can still be rebuilt.
    package func skipContents() throws(BerthError) {
        while remaining > 0 {
            try fill()
            guard end > start else { throw TarReader.truncated }
            let n = Int(min(Int64(end - start), remaining))
            consume(n, raw: true)
            remaining -= Int64(n)
        }
        try skipRaw(padding)
        padding = 0
    }

    /// Reads everything after the end-of-archive blocks (hashed: a DiffID covers the whole
    /// stream) and returns the stream's sha256 and length.
    package func finish() throws(BerthError) -> (digest: Digest, size: Int64) {
        try skipContents()
        while true {
            try fill()
            if end == start { break }
            consume(end - start, raw: true)
        }
        return (Digest(hasher.finalize()), bytesRead)
    }

    // MARK: - Buffer

    private func fill() throws(BerthError) {
        guard start == end, !eof else { return }
        start = 0
        end = 0
        while true {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw BerthError.archiveInvalid("cannot read the archive: \(errnoText())")
            }
            if n == 0 { eof = true }
            end = n
            return
        }
    }

    private func consume(_ n: Int, raw: Bool) {
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + n)])
        hasher.update(bufferPointer: chunk)
        if raw { split?.raw(chunk) }
        start += n
        bytesRead += Int64(n)
    }

    /// Exactly `count` bytes, or nil at a clean EOF before the first byte. Throws on a short read.
    private func readExact(_ count: Int, raw: Bool) throws(BerthError) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            try fill()
            if end == start {
                if out.isEmpty { return nil }
                throw TarReader.truncated
            }
            let n = min(end - start, count - out.count)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<(start + n)]))
            consume(n, raw: raw)
        }
        return out
    }

    /// Reads the zeros that round a body of `size` bytes up to a whole block.
    private func skipPadding(_ size: Int64, raw: Bool) throws(BerthError) {
        try skipRaw(TarReader.padding(size))
    }

    private func skipRaw(_ count: Int64) throws(BerthError) {
        if count > 0, try readExact(Int(count), raw: true) == nil { throw TarReader.truncated }
    }

    static func padding(_ size: Int64) -> Int64 {
        (Int64(block) - size % Int64(block)) % Int64(block)
    }

    // MARK: - Fields

    static var truncated: BerthError { .archiveInvalid("unexpected EOF") }

    static func cString(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(bytes.prefix { $0 != 0 })
    }

    /// Octal (space/NUL padded) or GNU base-256 (high bit of the first byte set).
    static func number(_ field: ArraySlice<UInt8>) throws(BerthError) -> Int64 {
        guard let first = field.first else { return 0 }
        if first & 0x80 != 0 {
            var v: Int64 = Int64(first & 0x7f)
            for b in field.dropFirst() {
                guard v < Int64.max >> 8 else { throw BerthError.archiveInvalid("archive/tar: invalid tar header") }
                v = v << 8 | Int64(b)
            }
            return v
        }
        var v: Int64 = 0
        var seen = false
        for b in field {
            if b == 0 || b == UInt8(ascii: " ") {
                if seen { break } else { continue }
            }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "7"), v < Int64.max >> 3 else {
                throw BerthError.archiveInvalid("archive/tar: invalid tar header")
            }
            seen = true
            v = v * 8 + Int64(b - UInt8(ascii: "0"))
        }
        return v
    }

    static func checksumOK(_ h: [UInt8]) -> Bool {
        guard let want = try? number(h[148..<156]) else { return false }
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for (i, b) in h.enumerated() {
            let c = (148..<156).contains(i) ? UInt8(ascii: " ") : b
            unsigned += Int64(c)
            signed += Int64(Int8(bitPattern: c))
        }
        return want == unsigned || want == signed
    }

    static func paxRecords(_ body: [UInt8]) throws(BerthError) -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        var i = 0
        while i < body.count, body[i] != 0 {
            guard let space = body[i...].firstIndex(of: UInt8(ascii: " ")),
                let length = Int(String(decoding: body[i..<space], as: UTF8.self)), length > 0, i + length <= body.count
            else { throw BerthError.archiveInvalid("archive/tar: invalid PAX record") }
            let record = body[(space + 1)..<(i + length - 1)]  // without the trailing newline
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw BerthError.archiveInvalid("archive/tar: invalid PAX record")
            }
            out.append((String(decoding: record[..<eq], as: UTF8.self), Array(record[(eq + 1)...])))
            i += length
        }
        return out
    }
}
