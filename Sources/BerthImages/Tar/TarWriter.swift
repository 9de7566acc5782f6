#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Crypto

/// Writes a tar stream (ustar, with PAX extended headers for long or non-ASCII names and
/// links, large sizes, big IDs and out-of-range times) and hashes every byte as it goes,
/// so a layer's DiffID costs no second pass. The output file is optional: with none, the
/// tar is only hashed. The same entries always give the same bytes.
package final class TarWriter {
    private let fd: Int32
    private var hasher = SHA256()
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private(set) package var bytesWritten: Int64 = 0
    private var finished = false

    static let blockSize = 512
    static let maxOctal11: Int64 = 0o77777777777
    static let maxOctal7: UInt32 = 0o7777777

    /// `fd` is written but not closed; pass -1 to only hash.
    package init(fd: Int32 = -1, bufferSize: Int = 1 << 20) {
        self.fd = fd
        buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Appends a header (and a PAX header before it when ustar cannot hold a field).
    /// Contents, when `header.size > 0`, must follow through `appendContents`.
    package func append(_ header: TarHeader) throws(BerthError) {
        var pax: [(String, [UInt8])] = []
        var h = header
        let split = TarWriter.splitUSTARPath(h.name)
        if split == nil { pax.append(("path", h.name)) }
        if h.linkName.count > 100 || !h.linkName.allSatisfy({ $0 < 0x80 }) { pax.append(("linkpath", h.linkName)) }
        if h.size > TarWriter.maxOctal11 { pax.append(("size", Array(String(h.size).utf8))) }
        if h.uid > TarWriter.maxOctal7 { pax.append(("uid", Array(String(h.uid).utf8))) }
        if h.gid > TarWriter.maxOctal7 { pax.append(("gid", Array(String(h.gid).utf8))) }
        if h.mtime < 0 || h.mtime > TarWriter.maxOctal11 { pax.append(("mtime", Array(String(h.mtime).utf8))) }
        if !pax.isEmpty {
            let body = TarWriter.paxRecords(pax.sorted { $0.0 < $1.0 })
            var x = TarHeader(name: TarWriter.paxName(for: h.name), kind: .paxExtended, mode: 0)
            x.size = Int64(body.count)
            try emit(TarWriter.ustarBlock(x, prefix: [], name: Array(x.name.prefix(100))))
            try emit(body)
            try pad(Int64(body.count))
        }
        if h.size > TarWriter.maxOctal11 { h.size = 0 }
        let (prefix, name) = split ?? ([], Array(h.name.prefix(100)))
        try emit(TarWriter.ustarBlock(h, prefix: prefix, name: name))
    }

    /// Copies exactly `size` bytes from `source` (a file fd) and pads to the block size.
    /// Throws when the file is shorter than its header said (it changed while archived).
    package func appendContents(from source: Int32, size: Int64) throws(BerthError) {
        var left = size
        while left > 0 {
            if used == buffer.count { try flush() }
            let want = Int(min(Int64(buffer.count - used), left))
            let n = read(source, buffer.baseAddress! + used, want)
            if n < 0 {
                if errno == EINTR { continue }
                throw .internalError("cannot read a file into a layer", detail: "read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw .internalError("a file shrank while it was archived", detail: "\(left) bytes missing") }
            used += n
            left -= Int64(n)
        }
        try pad(size)
    }

    /// Appends in-memory contents and pads to the block size.
    package func appendContents(_ bytes: [UInt8]) throws(BerthError) {
        try emit(bytes)
        try pad(Int64(bytes.count))
    }

    /// Writes the two zero blocks that end an archive, flushes, and returns the sha256 of
    /// everything written (the DiffID of a layer tar) and the archive's length.
    package func finish() throws(BerthError) -> (digest: Digest, size: Int64) {
        precondition(!finished, "TarWriter.finish called twice")
        try emit([UInt8](repeating: 0, count: 2 * TarWriter.blockSize))
        try flush()
        finished = true
        return (Digest(hasher.finalize()), bytesWritten)
    }

    // MARK: - Output

    private func emit(_ bytes: [UInt8]) throws(BerthError) {
        var off = 0
        while off < bytes.count {
            if used == buffer.count { try flush() }
            let n = min(buffer.count - used, bytes.count - off)
            bytes.withUnsafeBytes { src in
                (buffer.baseAddress! + used).copyMemory(from: src.baseAddress! + off, byteCount: n)
            }
            used += n
            off += n
        }
    }

    private func pad(_ size: Int64) throws(BerthError) {
        let r = Int(size % Int64(TarWriter.blockSize))
        if r != 0 { try emit([UInt8](repeating: 0, count: TarWriter.blockSize - r)) }
    }

    private func flush() throws(BerthError) {
        guard used > 0 else { return }
        let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<used])
        hasher.update(bufferPointer: chunk)
        if fd >= 0 {
            var off = 0
            while off < used {
                let n = write(fd, chunk.baseAddress! + off, used - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw .internalError("cannot write a layer archive", detail: "write: \(String(cString: strerror(errno)))")
                }
                off += n
            }
        }
        bytesWritten += Int64(used)
        used = 0
    }

    // MARK: - Encoding

    /// Go's archive/tar rule: a name fits ustar if it is ASCII and either ≤ 100 bytes or
    /// splits at a `/` into a prefix ≤ 155 and a non-empty name ≤ 100.
    static func splitUSTARPath(_ name: [UInt8]) -> (prefix: [UInt8], name: [UInt8])? {
        guard name.allSatisfy({ $0 < 0x80 && $0 != 0 }) else { return nil }
        if name.count <= 100 { return ([], name) }
        var length = name.count
        if length > 156 {
            length = 156
        } else if name[length - 1] == UInt8(ascii: "/") {
            length -= 1
        }
        guard let i = name[..<length].lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let nlen = name.count - i - 1
        guard i > 0, nlen > 0, nlen <= 100, i <= 155 else { return nil }
        return (Array(name[..<i]), Array(name[(i + 1)...]))
    }

    /// `dir/PaxHeaders.0/base`, as Go's archive/tar names extended headers.
    static func paxName(for name: [UInt8]) -> [UInt8] {
        var n = name
        while n.last == UInt8(ascii: "/") { n.removeLast() }
        let slash = n.lastIndex(of: UInt8(ascii: "/"))
        let dir = slash.map { Array(n[...$0]) } ?? []
        let base = slash.map { Array(n[($0 + 1)...]) } ?? n
        return Array((dir + Array("PaxHeaders.0/".utf8) + base).prefix(100))
    }

    /// `"%d %s=%s\n"` records whose length counts its own digits.
    static func paxRecords(_ records: [(String, [UInt8])]) -> [UInt8] {
        var out: [UInt8] = []
        for (key, value) in records {
            let body = 1 + key.utf8.count + 1 + value.count + 1  // " key=value\n"
            var total = body + String(body).count
            if String(total).count > String(body).count { total += 1 }
            out += Array(String(total).utf8) + [UInt8(ascii: " ")] + Array(key.utf8) + [UInt8(ascii: "=")] + value
                + [UInt8(ascii: "\n")]
        }
        return out
    }

    static func ustarBlock(_ h: TarHeader, prefix: [UInt8], name: [UInt8]) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: blockSize)
        put(&b, offset: 0, width: 100, bytes: name)
        putOctal(&b, offset: 100, width: 8, value: UInt64(h.mode & 0o7777))
        putOctal(&b, offset: 108, width: 8, value: h.uid > maxOctal7 ? 0 : UInt64(h.uid))
        putOctal(&b, offset: 116, width: 8, value: h.gid > maxOctal7 ? 0 : UInt64(h.gid))
        putOctal(&b, offset: 124, width: 12, value: UInt64(max(0, min(h.size, maxOctal11))))
        putOctal(&b, offset: 136, width: 12, value: (h.mtime < 0 || h.mtime > maxOctal11) ? 0 : UInt64(h.mtime))
        b[156] = h.kind.rawValue
        put(&b, offset: 157, width: 100, bytes: Array(h.linkName.prefix(100)))
        put(&b, offset: 257, width: 6, bytes: Array("ustar\0".utf8))
        put(&b, offset: 263, width: 2, bytes: Array("00".utf8))
        putOctal(&b, offset: 329, width: 8, value: UInt64(h.devMajor & maxOctal7))
        putOctal(&b, offset: 337, width: 8, value: UInt64(h.devMinor & maxOctal7))
        put(&b, offset: 345, width: 155, bytes: prefix)
        putChecksum(&b)
        return b
    }

    static func put(_ b: inout [UInt8], offset: Int, width: Int, bytes: [UInt8]) {
        for (i, c) in bytes.prefix(width).enumerated() { b[offset + i] = c }
    }

    /// Zero-padded octal in `width - 1` digits and a NUL.
    static func putOctal(_ b: inout [UInt8], offset: Int, width: Int, value: UInt64) {
        let digits = Array(String(value, radix: 8).utf8)
        let padded = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, width - 1 - digits.count)) + digits
        put(&b, offset: offset, width: width - 1, bytes: padded)
        b[offset + width - 1] = 0
    }

    /// The checksum is the byte sum with its own field read as spaces: six octal digits, NUL, space.
    static func putChecksum(_ b: inout [UInt8]) {
        for i in 148..<156 { b[i] = UInt8(ascii: " ") }
        let sum = b.reduce(0) { $0 + UInt64($1) }
        putOctal(&b, offset: 148, width: 7, value: sum)
        b[155] = UInt8(ascii: " ")
    }
}
