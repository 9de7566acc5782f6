#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

extension ImageStore {
    /// `docker save`: writes the images as one tar to `fd`, in the layout Docker 25+ writes,
    /// which is both a docker-save archive (`manifest.json`) and an OCI image layout
    /// (`oci-layout`, `index.json`, `blobs/sha256/…`). Layers are the uncompressed tars whose
    /// sha256 are the DiffIDs, each written once. Throws `No such image` before writing anything.
    package func save(_ refs: [String], to fd: Int32) throws(BerthError) {
        var chosen: [(Image, [ImageReference])] = []
        for ref in refs {
            let image = try image(ref)
            let byID = ref.hasPrefix("sha256:") || image.id.hex.hasPrefix(ref)
            let names = byID ? [] : [try ImageReference(parsing: ref)]
            if let i = chosen.firstIndex(where: { $0.0.id == image.id }) {
                chosen[i].1 += names
            } else {
                chosen.append((image, names))
            }
        }
        let writer = TarWriter(fd: fd)
        let scratch = try StoreFiles.stagingDirectory(paths, "save")
        defer { try? StoreFiles.removeTree(scratch) }
        let now = Int64(Date().timeIntervalSince1970)
        func addFile(_ name: String, _ bytes: [UInt8]) throws(BerthError) {
            var h = TarHeader(name: name, kind: .regular, mode: 0o644)
            h.size = Int64(bytes.count)
            h.mtime = now
            try writer.append(h)
            try writer.appendContents(bytes)
        }
        func json<T: Encodable>(_ value: T) throws(BerthError) -> [UInt8] {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return try StoreFiles.attempt("cannot encode the archive index") { Array(try enc.encode(value)) }
        }
        var dir = TarHeader(name: "blobs/", kind: .directory, mode: 0o755)
        dir.mtime = now
        try writer.append(dir)
        dir.name = Array("blobs/sha256/".utf8)
        try writer.append(dir)

        var written: Set<Digest> = []
        var saveEntries: [SaveManifestEntry] = []
        var indexEntries: [Descriptor] = []
        for (image, names) in chosen {
            let config = try StoreFiles.readData(paths.imageConfig(image.id)) ?? Data()
            if written.insert(image.id).inserted { try addFile("blobs/sha256/" + image.id.hex, Array(config)) }
            var layerDescriptors: [Descriptor] = []
            for layer in image.layers {
                let tmp = scratch + "/" + layer.diffID.hex
                let out = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard out >= 0 else { throw .internalError("cannot create \(tmp)", detail: errnoText()) }
                defer {
                    close(out)
                    unlink(tmp)
                }
                try writeLayerTar(layer, to: out)
                let size = Int64(lseek(out, 0, SEEK_END))
                layerDescriptors.append(Descriptor(mediaType: MediaType.ociLayer, digest: layer.diffID, size: size))
                guard written.insert(layer.diffID).inserted else { continue }
                lseek(out, 0, SEEK_SET)
                var h = TarHeader(name: "blobs/sha256/" + layer.diffID.hex, kind: .regular, mode: 0o644)
                h.size = size
                h.mtime = now
                try writer.append(h)
                try writer.appendContents(from: out, size: size)
            }
            let manifest = Manifest(
                schemaVersion: 2, mediaType: MediaType.ociManifest,
                config: Descriptor(mediaType: MediaType.ociConfig, digest: image.id, size: Int64(config.count)),
                layers: layerDescriptors, manifests: nil, annotations: nil)
            let manifestBytes = try json(manifest)
            let manifestDigest = Digest.sha256(of: manifestBytes)
            if written.insert(manifestDigest).inserted { try addFile("blobs/sha256/" + manifestDigest.hex, manifestBytes) }
            let descriptor = Descriptor(mediaType: MediaType.ociManifest, digest: manifestDigest, size: Int64(manifestBytes.count))
            if names.isEmpty { indexEntries.append(descriptor) }
            for name in names {
                var d = descriptor
                d.annotations = ["io.containerd.image.name": name.canonical, "org.opencontainers.image.ref.name": name.tag ?? "latest"]
                indexEntries.append(d)
            }
            saveEntries.append(SaveManifestEntry(
                config: "blobs/sha256/" + image.id.hex, repoTags: names.isEmpty ? nil : names.map(\.familiar),
                layers: image.layers.map { "blobs/sha256/" + $0.diffID.hex }))
        }
        let index = Manifest(schemaVersion: 2, mediaType: MediaType.ociIndex, config: nil, layers: nil, manifests: indexEntries, annotations: nil)
        try addFile("index.json", try json(index))
        try addFile("manifest.json", try json(saveEntries))
        try addFile("oci-layout", Array(#"{"imageLayoutVersion":"1.0.0"}"#.utf8))
        _ = try writer.finish()
    }
}
