#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// What the classic builder needs from the store: one image per step, each recording its
/// parent in `imagedb/metadata/sha256/<id>/parent` as Docker does, so the cache can find a
/// step's earlier result among the children of the image it was built on.
extension ImageStore {
    /// A fresh `tmp/<purpose>-<pid>-<random>` directory (swept by `cleanStaleStaging` when its process is gone).
    package func stagingDirectory(_ purpose: String) throws(BerthError) -> String {
        try StoreFiles.stagingDirectory(paths, purpose)
    }

    package func removeStaging(_ dir: String) {
        try? StoreFiles.removeTree(dir)
    }

    /// The image `id` was built on, when a build recorded one and it is still in the store.
    package func parent(of id: Digest) -> Digest? {
        guard let text = try? StoreFiles.readText(paths.imageMetadata + "/" + id.hex + "/parent"),
            let parent = Digest(stored: text), StoreFiles.exists(paths.imageConfig(parent))
        else { return nil }
        return parent
    }

    /// Image ID → the IDs of the images built on it.
    package func childrenByParent() -> [Digest: [Digest]] {
        var out: [Digest: [Digest]] = [:]
        for id in imageIDs() {
            if let p = parent(of: id) { out[p, default: []].append(id) }
        }
        return out
    }

    /// The images built on `id`, newest first.
    package func children(of id: Digest) -> [Image] {
        guard let repositories = try? readRepositories() else { return [] }
        return (childrenByParent()[id] ?? []).compactMap { try? loadImage($0, repositories: repositories) }
            .sorted { $0.created > $1.created }
    }

    /// One build step's image: `base`'s config (or an empty one for `FROM scratch`), with
    /// `config` as the new defaults, `containerConfig` as the step's record, one history row
    /// (`empty_layer` when the step wrote no file) and, when `changes` (a directory in the
    /// overlay upper-dir format) holds anything, one layer archived from it. The parent
    /// record is written under the same lock as the image, so no image is half-registered.
    package func commitBuildStep(
        base: Image?, changes: String?, config: ContainerConfig, containerConfig: ContainerConfig,
        containerID: String?, createdBy: String, author: String? = nil
    ) throws(BerthError) -> Image {
        var diffID: Digest?
        if let changes, let entries = try? FileManager.default.contentsOfDirectory(atPath: changes), !entries.isEmpty {
            let scratch = try StoreFiles.stagingDirectory(paths, "step")
            defer { try? StoreFiles.removeTree(scratch) }
            let tarPath = scratch + "/layer.tar"
            _ = try LayerArchiver(overlayWhiteouts: true).archive(directory: changes, toFile: tarPath)
            let fd = open(tarPath, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .internalError("cannot open \(tarPath)", detail: errnoText()) }
            defer { close(fd) }
            diffID = try applyLayer(file: fd, parent: base?.topChainID).layer.diffID
        }
        let created = RFC3339.format(Date())
        var image = base?.config ?? ImageConfig(architecture: HostArchitecture.current, rootfs: RootFS(diffIDs: []))
        image.created = created
        if let author { image.author = author }
        image.config = config
        image.containerConfig = containerConfig
        image.container = containerID
        image.parent = base?.id.string
        if let diffID { image.rootfs.diffIDs.append(diffID) }
        image.history = (image.history ?? []) + [
            HistoryEntry(created: created, createdBy: createdBy, emptyLayer: diffID == nil ? true : nil)
        ]
        let data = try image.encoded()
        return try locked { () throws(BerthError) -> Image in
            if let base {
                let meta = paths.imageMetadata + "/" + Digest.sha256(of: data).hex
                try StoreFiles.makeDirectories(meta)
                try StoreFiles.writeText(base.id.string, to: meta + "/parent")
            }
            return try registerImageLocked(configJSON: data, tags: [])
        }
    }
}
