import BerthCore

extension ImageStore {
    /// The image's layer `diff` directories, absolute, topmost first (overlay's `lowerdir` order).
    package func layerDiffDirs(for image: Image) -> [String] {
        image.layers.reversed().map(\.diffDir)
    }

    /// The host path of the file that `pathInImage` (e.g. `/etc/passwd`) names in the
    /// image, read from the topmost layer that holds it; whiteouts and opaque directories
    /// are honoured and symlinks are resolved inside the image. Nil when there is none.
    package func lookupFile(_ pathInImage: String, image: Image) -> String? {
        UnionLookup(layers: layerDiffDirs(for: image)).find(pathInImage)
    }

    /// The same lookup through a container's own layers: its writes first, then the init
    /// layer, then the image. Throws when the container has no layer. The path is for
    /// reading while the container is stopped; a running container could swap the file
    /// in its upper dir, so open the result with `O_NOFOLLOW`.
    package func lookupFile(_ pathInContainer: String, containerID: String) throws(BerthError) -> String? {
        let layer = try containerLayer(containerID: containerID)
        return UnionLookup(layers: [layer.upperDir] + layer.lowerDirs).find(pathInContainer)
    }
}
