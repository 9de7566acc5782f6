import BerthCore

extension ImageStore {
    /// The seed image, built the first time it is asked for. Idempotent, and safe when
    /// several processes call it at once: the build runs under the state lock and re-checks
    /// there, and the layer is made in `tmp/` and renamed into place, so a crash never leaves
    /// half a layer. Present already: one lookup, no lock. Throws with the `apt-get install`
    /// line when the host lacks what the seed is built from.
    package func ensureSeed(_ seed: SeedImage) throws(BerthError) -> Image {
        if let image = try? image(seed.reference) { return image }
        if seed == .debian12 { return try ensureDebianSeed() }
        return try locked { () throws(BerthError) -> Image in
            if let image = try? image(seed.reference) { return image }
            switch seed {
            case .busybox: return try buildBusyboxLocked()
            case .debian12: throw .internalError("unreachable")
            }
        }
    }

    private func buildBusyboxLocked() throws(BerthError) -> Image {
        let source = try BusyboxSeed()
        let staged = try StoreFiles.stagingDirectory(paths, "seed-busybox")
        defer { try? StoreFiles.removeTree(staged) }
        try StoreFiles.makeDirectory(staged + "/diff")
        try source.populate(staged + "/diff")
        // The DiffID is the sha256 of the tree's tar, streamed into the hash and never kept
        // (Docker does not keep layer tars either).
        let measured = try LayerArchiver(owner: (0, 0)).archive(directory: staged + "/diff")
        _ = try registerLayerLocked(staged: staged, diffID: measured.diffID, size: measured.contentSize, parent: nil)
        let config = source.config(diffID: measured.diffID)
        let tag = try ImageReference(parsing: SeedImage.busybox.reference)
        return try registerImageLocked(configJSON: try config.encoded(), tags: [tag])
    }
}
