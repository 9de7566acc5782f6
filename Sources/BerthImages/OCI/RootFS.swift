/// `rootfs` of an image config: the uncompressed layer digests, bottom first.
package struct RootFS: Codable, Equatable, Sendable {
    /// Always `layers`.
    package var type: String
    package var diffIDs: [Digest]

    package init(diffIDs: [Digest]) {
        self.type = "layers"
        self.diffIDs = diffIDs
    }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        // Docker writes `"diff_ids": null`… never for a real image, but an image with no layer may omit it.
        diffIDs = try c.decodeIfPresent([Digest].self, forKey: .diffIDs) ?? []
    }

    enum CodingKeys: String, CodingKey {
        case type, diffIDs = "diff_ids"
    }
}
