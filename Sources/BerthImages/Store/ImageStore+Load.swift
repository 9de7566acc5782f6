#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import CBerth
import Crypto
import Foundation

extension ImageStore {
    /// `docker load`: reads a docker-save archive (`manifest.json`) or an OCI image layout
    /// (`index.json`), plain or compressed, from the seekable `file`. The archive is unpacked
    /// with `LayerApplier` into `tmp/` (so its own names are cleaned like any layer's), every
    /// member is opened beneath that directory, each layer must hash to its DiffID, and
    /// layers already present are not unpacked again. Returns Docker's lines:
    /// `Loaded image: busybox:latest` or `Loaded image ID: sha256:…`.
    package func load(file: Int32, progress: (String) -> Void = { _ in }) throws(BerthError) -> [String] {
        let staging = try StoreFiles.stagingDirectory(paths, "load")
        defer { try? StoreFiles.removeTree(staging) }
        let stream = try DecompressedStream(file: file)
        var applier = LayerApplier()
        applier.privileged = false  // the archive's own files: no owners, no devices needed
        _ = try applier.apply(fd: stream.fd, into: staging)
        try stream.finish()
        let root = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw .internalError("cannot open \(staging)", detail: errnoText()) }
        defer { close(root) }
        let archive = ArchiveDirectory(root: root)

        var lines: [String] = []
        if let data = try archive.read("manifest.json") {
            let entries: [SaveManifestEntry]
            do {
                entries = try JSONDecoder().decode([SaveManifestEntry].self, from: data)
            } catch {
                throw .archiveInvalid("invalid manifest.json: \(error)")
            }
            for entry in entries {
                guard let config = try archive.read(entry.config) else { throw .archiveInvalid("\(entry.config) is missing") }
                let layers = try entry.layers.map { (p: String) throws(BerthError) -> Int32 in
                    let fd = archive.open(p)
                    guard fd >= 0 else { throw .archiveInvalid("\(p) is missing") }
                    return fd
                }
                defer { layers.forEach { close($0) } }
                let image = try loadImage(config: config, layerFiles: layers, tags: entry.repoTags ?? [], progress: progress)
                lines += entry.repoTags.map { $0.map { "Loaded image: \($0)" } } ?? []
                if entry.repoTags?.isEmpty ?? true { lines.append("Loaded image ID: \(image.id)") }
            }
            return lines
        }
        guard let indexData = try archive.read("index.json") else {
            throw .archiveInvalid("the archive has neither manifest.json nor index.json: not a docker save archive or OCI layout")
        }
        let index = try Self.decodeManifest(indexData, what: "index.json")
        for descriptor in index.manifests ?? [] {
            for (manifest, name) in try archive.manifests(descriptor) {
                guard let configDescriptor = manifest.config, let layerDescriptors = manifest.layers else {
                    throw .archiveInvalid("manifest \(descriptor.digest) has no config or layers")
                }
                let config = try archive.blob(configDescriptor)
                let layers = try layerDescriptors.map { (d: Descriptor) throws(BerthError) -> Int32 in
                    try archive.verifiedBlobFile(d)
                }
                defer { layers.forEach { close($0) } }
                let tags = name.map { [$0] } ?? []
                let image = try loadImage(config: config, layerFiles: layers, tags: tags, progress: progress)
                lines.append(name.map { "Loaded image: \((try? ImageReference(parsing: $0))?.familiar ?? $0)" } ?? "Loaded image ID: \(image.id)")
            }
        }
        return lines
    }

    /// Registers one image from its config bytes and its layer files, bottom first.
    func loadImage(config: Data, layerFiles: [Int32], tags: [String], progress: (String) -> Void) throws(BerthError) -> Image {
        let decoded = try ImageConfig.decode(config, path: "the archive's image config")
        let diffIDs = decoded.rootfs.diffIDs
        guard diffIDs.count == layerFiles.count else {
            throw .archiveInvalid("the image config names \(diffIDs.count) layers, the archive has \(layerFiles.count)")
        }
        var parent: Digest?
        for (diffID, fd) in zip(diffIDs, layerFiles) {
            let chainID = Digest.chainID(parent: parent, diffID: diffID)
            if try layer(chainID: chainID) != nil {
                progress("\(diffID.short): Already exists")
            } else {
                progress("\(diffID.short): Loading layer")
                _ = try applyLayer(file: fd, parent: parent, expected: diffID)
            }
            parent = chainID
        }
        return try registerImage(configJSON: config, tags: tags)
    }

    static func decodeManifest(_ data: Data, what: String) throws(BerthError) -> Manifest {
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw .archiveInvalid("invalid \(what): \(error)")
        }
    }

    /// `docker import`: one layer from a filesystem tar (plain or compressed) and a config
    /// with no command, tagged `reference` when given. Returns the image.
    package func importImage(file: Int32, reference: String?, source: String, message: String? = nil) throws(BerthError) -> (Image, [String]) {
        if let reference {
            let r = try ImageReference(parsing: reference)
            if r.digest != nil { throw .tagWithDigest }
        }
        let applied = try applyLayer(file: file, parent: nil)
        let created = RFC3339.format(Date())
        let config = ImageConfig(
            architecture: HostArchitecture.current, os: "linux", created: created, config: ContainerConfig(),
            rootfs: RootFS(diffIDs: [applied.layer.diffID]),
            history: [HistoryEntry(created: created, createdBy: "", comment: message ?? "Imported from \(source)")])
        let image = try registerImage(config: config, tags: reference.map { [$0] } ?? [])
        return (image, applied.skipped)
    }
}

/// An unpacked archive: members opened beneath its root only (RESOLVE_IN_ROOT, so a name
/// such as `../../etc/passwd` in `manifest.json` stays inside).
struct ArchiveDirectory {
    let root: Int32

    func open(_ path: String) -> Int32 {
        berth_openat2(root, path, O_RDONLY, SafePath.inRoot | SafePath.noMagicLinks)
    }

    func read(_ path: String) throws(BerthError) -> Data? {
        let fd = open(path)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .archiveInvalid("cannot read \(path): \(errnoText())") }
            if n == 0 { return data }
            data.append(contentsOf: chunk[..<n])
        }
    }

    func blobPath(_ d: Descriptor) throws(BerthError) -> String {
        let digest = try Digest(parsing: d.digest)
        return "blobs/sha256/" + digest.hex
    }

    /// A small blob (manifest, config), checked against its digest.
    func blob(_ d: Descriptor) throws(BerthError) -> Data {
        guard let data = try read(try blobPath(d)) else { throw .archiveInvalid("blob \(d.digest) is missing") }
        let got = Digest.sha256(of: data)
        guard got.string == d.digest else { throw .blobDigestMismatch(d.digest, got: got.string) }
        return data
    }

    /// A layer blob's fd, after hashing the whole file against its digest. The caller closes it.
    func verifiedBlobFile(_ d: Descriptor) throws(BerthError) -> Int32 {
        let path = try blobPath(d)
        let fd = open(path)
        guard fd >= 0 else { throw .archiveInvalid("blob \(d.digest) is missing") }
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        let got = Digest(hasher.finalize())
        guard got.string == d.digest else {
            close(fd)
            throw .blobDigestMismatch(d.digest, got: got.string)
        }
        return fd
    }

    /// The image manifests a descriptor leads to (through nested indexes, picking the host's
    /// platform), each with the name its annotations give, if any.
    func manifests(_ d: Descriptor, name inherited: String? = nil) throws(BerthError) -> [(Manifest, String?)] {
        let manifest = try ImageStore.decodeManifest(try blob(d), what: "manifest \(d.digest)")
        let name = Self.name(d.annotations) ?? inherited
        if manifest.isIndex || MediaType.indexes.contains(d.mediaType) {
            let all = manifest.manifests ?? []
            guard let pick = PlatformChoice.pick(all) else { throw .archiveInvalid("no manifest for this platform in \(d.digest)") }
            return try manifests(pick, name: name)
        }
        return [(manifest, name)]
    }

    /// `io.containerd.image.name` (a full reference), else `org.opencontainers.image.ref.name`
    /// when it is a full reference rather than only a tag.
    static func name(_ annotations: [String: String]?) -> String? {
        if let full = annotations?["io.containerd.image.name"] { return full }
        if let ref = annotations?["org.opencontainers.image.ref.name"], ref.contains(":") || ref.contains("/"),
            (try? ImageReference(parsing: ref)) != nil
        {
            return ref
        }
        return nil
    }
}

/// Picks the manifest for this host from an index: `linux/<host arch>`, else the first
/// without a platform (attestations are skipped).
enum PlatformChoice {
    static func pick(_ descriptors: [Descriptor]) -> Descriptor? {
        let arch = HostArchitecture.current
        if let hit = descriptors.first(where: { $0.platform?.os == "linux" && $0.platform?.architecture == arch }) { return hit }
        return descriptors.first { $0.platform == nil && $0.annotations?["vnd.docker.reference.type"] == nil }
    }
}
