extension Checker.Evaluation {
    func imagePresent(_ c: ImageCheck) throws -> CheckFailure? {
        guard let image = try reader.image(c.ref) else { return .imageMissing(c.ref) }
        if let other = c.sameAs {
            guard let target = try reader.image(other) else { return .imageMissing(other) }
            if target.id != image.id { return .imageDiffers(ref: c.ref, sameAs: other) }
        }
        return nil
    }

    func imageAbsent(_ c: ImageCheck) throws -> CheckFailure? {
        try reader.image(c.ref) == nil ? nil : .imageStillPresent(c.ref)
    }

    /// The first `layers` layers are the same (by chain ID, which covers every layer below)
    /// in every image, and are on disk.
    func layerShared(_ c: LayerSharedCheck) throws -> CheckFailure? {
        var images: [ImageFacts] = []
        for ref in c.images {
            guard let image = try reader.image(ref) else { return .imageMissing(ref) }
            images.append(image)
        }
        guard let first = images.first else { return nil }
        let n = c.layers ?? first.layers.count
        guard n > 0, images.allSatisfy({ $0.layers.count >= n }) else { return .layersNotShared(c.images) }
        let chain = first.layers[n - 1].chainID
        if images.contains(where: { $0.layers[n - 1].chainID != chain }) { return .layersNotShared(c.images) }
        if let (i, _) = images.enumerated().first(where: { !$1.layers.prefix(n).allSatisfy(\.onDisk) }) {
            return .layersMissing(c.images[i])
        }
        return nil
    }
}
