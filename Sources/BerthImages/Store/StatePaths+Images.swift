import BerthCore

extension StatePaths {
    /// `image/overlay2/layerdb/mounts`: one directory per container layer.
    var layerMounts: String { imageRoot + "/layerdb/mounts" }

    func imageConfig(_ id: Digest) -> String { imageDB + "/" + id.hex }
    func layerMetadata(_ chainID: Digest) -> String { layerDB + "/" + chainID.hex }
    func overlayLayer(_ cacheID: String) -> String { overlay + "/" + cacheID }
    func overlayLink(_ link: String) -> String { overlayLinks + "/" + link }
    func layerMount(_ containerID: String) -> String { layerMounts + "/" + containerID }
}
