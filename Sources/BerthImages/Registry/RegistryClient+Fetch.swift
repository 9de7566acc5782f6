#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Crypto
import Foundation

extension RegistryClient {
    /// What the manifest endpoint may answer with, most specific last (as Docker's Accept).
    static let manifestTypes = [
        MediaType.ociIndex, MediaType.dockerList, MediaType.ociManifest, MediaType.dockerManifest,
    ]

    /// `GET /v2/<repo>/manifests/<tag|digest>`: the bytes, their media type and their digest.
    /// A manifest asked for by digest must hash to it. Throws `RegistryFailure` or `BerthError`.
    func manifest(_ reference: String, expected: Digest? = nil) throws -> (data: Data, mediaType: String, digest: Digest) {
        let response = try send(method: "GET", url("/v2/\(repository)/manifests/\(reference)"), accept: Self.manifestTypes)
        defer { response.close() }
        let data: Data
        do {
            data = try response.readAll(limit: 4 << 20)
        } catch {
            throw RegistryFailure(method: "GET", url: url("/v2/\(repository)/manifests/\(reference)"), status: 0, code: nil, message: error.description)
        }
        let digest = Digest.sha256(of: data)
        if let expected, expected != digest {
            throw BerthError.registryDigestMismatch(expected.string, got: digest.string)
        }
        var mediaType = response.header("content-type")?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces)
        } ?? ""
        // Some registries answer application/json: the body's own mediaType decides then.
        if !Self.manifestTypes.contains(mediaType),
            let inner = try? JSONDecoder().decode(Manifest.self, from: data), let t = inner.mediaType
        {
            mediaType = t
        }
        return (data, mediaType, digest)
    }

    /// A small blob (an image config) in memory, checked against its digest.
    func smallBlob(_ digest: Digest) throws -> Data {
        let target = url("/v2/\(repository)/blobs/\(digest.string)")
        let response = try send(method: "GET", target)
        defer { response.close() }
        let data: Data
        do {
            data = try response.readAll(limit: 16 << 20)
        } catch {
            throw RegistryFailure(method: "GET", url: target, status: 0, code: nil, message: error.description)
        }
        let got = Digest.sha256(of: data)
        guard got == digest else { throw BerthError.registryDigestMismatch(digest.string, got: got.string) }
        return data
    }

    /// Streams `GET /v2/<repo>/blobs/<digest>` into `fd`, hashing as it goes. Throws
    /// `digest mismatch` when the bytes (or their count) are not what the manifest named,
    /// `CancellationError` when `cancelled()` turns true between reads.
    func fetchBlob(
        _ digest: Digest, size: Int64, to fd: Int32, cancelled: () -> Bool, progress: (Int64) -> Void
    ) throws {
        let target = url("/v2/\(repository)/blobs/\(digest.string)")
        let response = try send(method: "GET", target)
        defer { response.close() }
        var hasher = SHA256()
        var total: Int64 = 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            if cancelled() { throw CancellationError() }
            let n: Int
            do {
                n = try response.read(into: chunk)
            } catch {
                throw RegistryFailure(method: "GET", url: target, status: 0, code: nil, message: error.description)
            }
            if n == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: chunk[0..<n])
            hasher.update(bufferPointer: bytes)
            var off = 0
            while off < n {
                let w = write(fd, bytes.baseAddress! + off, n - off)
                if w < 0 {
                    if errno == EINTR { continue }
                    throw BerthError.internalError("cannot write a downloaded layer", detail: errnoText())
                }
                off += w
            }
            total += Int64(n)
            // More bytes than the manifest promised: stop reading, it cannot be the blob.
            if size > 0 && total > size { break }
            progress(total)
        }
        let got = Digest(hasher.finalize())
        guard got == digest, size <= 0 || total == size else {
            throw BerthError.registryDigestMismatch(digest.string, got: got.string)
        }
    }
}
