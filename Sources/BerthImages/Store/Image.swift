import Foundation

/// An image in the store: its config, its names and its layers.
package struct Image: Equatable, Sendable {
    /// sha256 of the config bytes.
    package var id: Digest
    package var config: ImageConfig
    /// Familiar `name:tag` strings that point at this image, sorted (`docker images`' rows).
    package var repoTags: [String]
    /// Bottom first, in `rootfs.diff_ids` order.
    package var layers: [Layer]
    /// The config's `created`, or the epoch when it has none.
    package var created: Date
    /// Sum of the layers' sizes, as `docker images` shows it.
    package var size: Int64

    /// ChainID of the top layer: what a container layer's `parent` names.
    package var topChainID: Digest? { layers.last?.chainID }
}
