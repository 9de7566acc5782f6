#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import CBerth
import Crypto
import Foundation

/// What Docker keeps as `layerdb/sha256/<chain-id>/tar-split.json.gz`: every byte of a layer's
/// tar except file contents, so `save` and `push` can rebuild the exact stream (and so the
/// same DiffID) from the extracted tree. Berth's own compact encoding, stored as `tar-split`:
///
///     "BERTHSPLIT1\n" then records:  'R' u32 length, bytes      raw header/padding bytes
///                                    'F' u32 length, path, u64   size bytes of the file `path`
package enum TarSplit {
    static let fileName = "tar-split"
    static let magic = Array("BERTHSPLIT1\n".utf8)

    /// Collects the records while a `TarReader` reads a layer, then writes them to a file.
    package final class Recorder {
        package init() {}
        private var out: [UInt8] = TarSplit.magic
        private var pending: [UInt8] = []

        func raw(_ bytes: UnsafeRawBufferPointer) {
            pending.append(contentsOf: bytes)
        }

        func file(path: [UInt8], size: Int64) {
            flushRaw()
            out.append(UInt8(ascii: "F"))
            Recorder.put32(&out, UInt32(path.count))
            out += path
            for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(size) >> (8 * i))) }
        }

        private func flushRaw() {
            guard !pending.isEmpty else { return }
            out.append(UInt8(ascii: "R"))
            Recorder.put32(&out, UInt32(pending.count))
            out += pending
            pending.removeAll(keepingCapacity: true)
        }

        static func put32(_ b: inout [UInt8], _ v: UInt32) {
            for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
        }

        func write(to path: String) throws(BerthError) {
            flushRaw()
            try StoreFiles.attempt("cannot write \(path)") { try AtomicFile.write(Data(out), to: path, mode: 0o600) }
        }
    }

    enum Record {
        case raw(ArraySlice<UInt8>)
        case file(path: [UInt8], size: Int64)
    }

    static func records(_ data: [UInt8], path: String) throws(BerthError) -> [Record] {
        guard data.starts(with: magic) else { throw .imageStoreCorrupt(path, "not a tar-split file") }
        var i = magic.count
        var out: [Record] = []
        func u32() throws(BerthError) -> Int {
            guard i + 4 <= data.count else { throw .imageStoreCorrupt(path, "truncated") }
            defer { i += 4 }
            return (0..<4).reduce(0) { $0 | Int(data[i + $1]) << (8 * $1) }
        }
        while i < data.count {
            let kind = data[i]
            i += 1
            let length = try u32()
            guard i + length <= data.count else { throw .imageStoreCorrupt(path, "truncated") }
            let bytes = data[i..<(i + length)]
            i += length
            if kind == UInt8(ascii: "R") {
                out.append(.raw(bytes))
            } else if kind == UInt8(ascii: "F") {
                guard i + 8 <= data.count else { throw .imageStoreCorrupt(path, "truncated") }
                let size = (0..<8).reduce(UInt64(0)) { $0 | UInt64(data[i + $1]) << (8 * UInt64($1)) }
                i += 8
                out.append(.file(path: Array(bytes), size: Int64(size)))
            } else {
                throw .imageStoreCorrupt(path, "unknown record")
            }
        }
        return out
    }

    /// The length of the stream the records rebuild.
    static func length(_ records: [Record]) -> Int64 {
        records.reduce(0) { total, r in
            switch r {
            case .raw(let b): total + Int64(b.count)
            case .file(_, let size): total + size
            }
        }
    }

    /// Rebuilds the layer tar from `records` and the files under `diffDir`, writing it to `fd`
    /// and returning its sha256. Files are opened beneath `diffDir` without following any
    /// symlink. Throws when a file is missing or shorter than recorded.
    static func replay(_ records: [Record], diffDir: String, to fd: Int32) throws(BerthError) -> Digest {
        let root = open(diffDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw .internalError("cannot open \(diffDir)", detail: errnoText()) }
        defer { close(root) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        /// False when the write failed (errno set).
        func emit(_ bytes: UnsafeRawBufferPointer) -> Bool {
            hasher.update(bufferPointer: bytes)
            var off = 0
            while off < bytes.count {
                let n = write(fd, bytes.baseAddress! + off, bytes.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                off += n
            }
            return true
        }
        let writeFailed = BerthError.internalError("cannot write the archive", detail: errnoText())
        for record in records {
            switch record {
            case .raw(let bytes):
                guard bytes.withUnsafeBytes({ emit($0) }) else { throw writeFailed }
            case .file(let path, let size):
                let f = berth_openat2(root, path.cString, O_RDONLY | O_NOFOLLOW, SafePath.beneathNoSymlinks)
                guard f >= 0 else {
                    throw .internalError("layer file \(String(decoding: path, as: UTF8.self)) is missing", detail: errnoText())
                }
                defer { close(f) }
                var left = size
                while left > 0 {
                    let n = buffer.withUnsafeMutableBytes { read(f, $0.baseAddress!, Int(min(Int64($0.count), left))) }
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw .internalError("layer file \(String(decoding: path, as: UTF8.self)) changed", detail: "short read")
                    }
                    guard buffer.withUnsafeBytes({ emit(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) else { throw writeFailed }
                    left -= Int64(n)
                }
            }
        }
        return Digest(hasher.finalize())
    }
}

/// openat2 `resolve` flags (linux/openat2.h).
enum SafePath {
    static let noMagicLinks: UInt64 = 0x02
    static let noSymlinks: UInt64 = 0x04
    static let beneath: UInt64 = 0x08
    static let inRoot: UInt64 = 0x10
    static let beneathNoSymlinks: UInt64 = beneath | noSymlinks | noMagicLinks
}
