#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

extension ImageStore {
    /// `docker commit`: the container's upper dir becomes a new layer on top of its image
    /// (overlay whiteouts archived as `.wh.` files, opaque dirs as `.wh..wh..opq`), and a new
    /// image config: the image's, with the container's defaults, one more DiffID and history
    /// row. Takes the state lock itself (through `applyLayer`/`registerImage`): never call it under the lock.
    package func commit(
        containerID: String, image: Image, containerConfig: ContainerConfig, createdBy: String,
        author: String? = nil, comment: String? = nil, tags: [String]
    ) throws(BerthError) -> Image {
        let layer = try containerLayer(containerID: containerID)
        let scratch = try StoreFiles.stagingDirectory(paths, "commit")
        defer { try? StoreFiles.removeTree(scratch) }
        let tarPath = scratch + "/layer.tar"
        _ = try LayerArchiver(overlayWhiteouts: true).archive(directory: layer.upperDir, toFile: tarPath)
        let fd = open(tarPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .internalError("cannot open \(tarPath)", detail: errnoText()) }
        defer { close(fd) }
        let applied = try applyLayer(file: fd, parent: image.topChainID)
        let created = RFC3339.format(Date())
        var config = image.config
        config.created = created
        config.author = author ?? config.author
        config.config = containerConfig
        config.rootfs.diffIDs.append(applied.layer.diffID)
        config.history = (config.history ?? []) + [HistoryEntry(created: created, createdBy: createdBy, author: author, comment: comment)]
        return try registerImage(config: config, tags: tags)
    }

    /// `docker export`: the container's filesystem as the overlay shows it, as one tar to `fd`.
    package func exportContainer(containerID: String, to fd: Int32) throws(BerthError) {
        let layer = try containerLayer(containerID: containerID)
        try UnionArchiver(layers: [layer.upperDir] + layer.lowerDirs).archive(to: fd)
    }
}
