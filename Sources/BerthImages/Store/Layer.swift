/// One read-only image layer as the overlay2 layout records it.
package struct Layer: Equatable, Sendable {
    /// sha256 of the layer's uncompressed tar.
    package var diffID: Digest
    /// Names the layer together with everything under it (`layerdb/sha256/<chain-id>`).
    package var chainID: Digest
    /// ChainID of the layer below; nil for the bottom layer.
    package var parent: Digest?
    /// The directory name under `overlay2/`.
    package var cacheID: String
    /// The 26-character name of its `overlay2/l/` link.
    package var link: String
    /// Bytes of the layer's files, each inode once (`layerdb/…/size`).
    package var size: Int64
    /// Absolute `overlay2/<cache-id>/diff`.
    package var diffDir: String
}
