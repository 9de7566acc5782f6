#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

extension ImageStore {
    /// The layer recorded under `layerdb/sha256/<chain-id>`, or nil when there is none.
    /// Throws when the record exists but is damaged.
    package func layer(chainID: Digest) throws(BerthError) -> Layer? {
        let dir = paths.layerMetadata(chainID)
        guard let diffText = try StoreFiles.readText(dir + "/diff") else { return nil }
        let diffID = try Digest(stored: diffText, at: dir + "/diff")
        guard let cacheID = try StoreFiles.readText(dir + "/cache-id")?.trimmed, isCacheID(cacheID) else {
            throw .imageStoreCorrupt(dir + "/cache-id", "missing or not a cache ID")
        }
        let size = try StoreFiles.readText(dir + "/size").flatMap { Int64($0.trimmed) } ?? 0
        let parent = try StoreFiles.readText(dir + "/parent").map { (t: String) throws(BerthError) in
            try Digest(stored: t, at: dir + "/parent")
        }
        guard let link = try StoreFiles.readText(paths.overlayLayer(cacheID) + "/link")?.trimmed, RandomID.isLink(link) else {
            throw .imageStoreCorrupt(paths.overlayLayer(cacheID) + "/link", "missing or not a link name")
        }
        return Layer(
            diffID: diffID, chainID: chainID, parent: parent, cacheID: cacheID, link: link, size: size,
            diffDir: paths.overlayLayer(cacheID) + "/diff")
    }

    /// The layers of a stack of DiffIDs, bottom first. Throws when one is missing.
    func layers(diffIDs: [Digest]) throws(BerthError) -> [Layer] {
        var out: [Layer] = []
        for chainID in Digest.chainIDs(diffIDs) {
            guard let layer = try layer(chainID: chainID) else {
                throw .imageStoreCorrupt(paths.layerMetadata(chainID), "layer \(chainID) is missing")
            }
            out.append(layer)
        }
        return out
    }

    /// Builds a layer on top of the layer `parent` (a ChainID, nil for a bottom layer):
    /// `populate` fills an empty directory outside the lock, then the tree is archived once to
    /// measure its DiffID (unless `diffID` is given: a pulled layer keeps the registry's) and
    /// size, and the directory is renamed into `overlay2/` under the lock. A layer that is
    /// already present (same ChainID) is reused and the new tree discarded.
    package func createLayer(
        parent: Digest?, diffID knownDiffID: Digest? = nil, populate: (_ diffDir: String) throws -> Void
    ) throws(BerthError) -> Layer {
        let staged = try StoreFiles.stagingDirectory(paths, "layer")
        defer { try? StoreFiles.removeTree(staged) }
        try StoreFiles.makeDirectory(staged + "/diff")
        try StoreFiles.attempt("cannot build a layer") { try populate(staged + "/diff") }
        let measured = try LayerArchiver().archive(directory: staged + "/diff")
        return try locked { () throws(BerthError) -> Layer in
            let parentLayer = try parent.map { (p: Digest) throws(BerthError) -> Layer in
                guard let l = try layer(chainID: p) else {
                    throw .imageStoreCorrupt(paths.layerMetadata(p), "parent layer is missing")
                }
                return l
            }
            return try registerLayerLocked(
                staged: staged, diffID: knownDiffID ?? measured.diffID, size: measured.contentSize, parent: parentLayer)
        }
    }

    /// Moves `staged` (a directory holding `diff/`) into the store as the layer `diffID` on
    /// top of `parent`, unless that ChainID is already present. Caller holds the state lock.
    /// On return `staged` has been moved or may be removed by the caller.
    /// `split`, when given, is a `TarSplit` file moved into the layer's layerdb directory.
    func registerLayerLocked(
        staged: String, diffID: Digest, size: Int64, parent: Layer?, split: String? = nil
    ) throws(BerthError) -> Layer {
        let chainID = Digest.chainID(parent: parent?.chainID, diffID: diffID)
        if let existing = try layer(chainID: chainID) { return existing }

        try StoreFiles.makeDirectories(paths.overlayLinks)
        try StoreFiles.makeDirectories(paths.layerDB)
        let cacheID = RandomID.hex()
        let link = RandomID.link()
        // Docker's overlay2: every layer has `link`; a layer with a parent also has `lower`
        // (the parents' links, topmost first) and `work`.
        try StoreFiles.writeText(link, to: staged + "/link")
        if let parent {
            try StoreFiles.writeText(try lowerChain(above: parent), to: staged + "/lower")
            try StoreFiles.makeDirectory(staged + "/work", mode: 0o700)
        }
        chmod(staged, 0o710)
        // A crash must never leave a registered layer whose files were not written yet.
        try StoreFiles.syncFilesystem(of: staged)
        try StoreFiles.rename(staged, paths.overlayLayer(cacheID))
        try makeLink(link, cacheID: cacheID)

        let meta = try StoreFiles.stagingDirectory(paths, "layerdb")
        defer { try? StoreFiles.removeTree(meta) }
        try StoreFiles.writeText(diffID.string, to: meta + "/diff")
        try StoreFiles.writeText(String(size), to: meta + "/size")
        try StoreFiles.writeText(cacheID, to: meta + "/cache-id")
        if let parent { try StoreFiles.writeText(parent.chainID.string, to: meta + "/parent") }
        if let split { try StoreFiles.rename(split, meta + "/" + TarSplit.fileName) }
        chmod(meta, 0o755)
        try StoreFiles.rename(meta, paths.layerMetadata(chainID))
        return Layer(
            diffID: diffID, chainID: chainID, parent: parent?.chainID, cacheID: cacheID, link: link, size: size,
            diffDir: paths.overlayLayer(cacheID) + "/diff")
    }

    /// `l/<link of layer>:<lower of layer>`: what a layer directly above `layer` writes as its `lower`.
    func lowerChain(above layer: Layer) throws(BerthError) -> String {
        let own = "l/" + layer.link
        guard let below = try StoreFiles.readText(paths.overlayLayer(layer.cacheID) + "/lower")?.trimmed, !below.isEmpty else {
            return own
        }
        return own + ":" + below
    }

    /// `overlay2/l/<link> -> ../<cache-id>/diff`, relative so the state root can move.
    func makeLink(_ link: String, cacheID: String) throws(BerthError) {
        let path = paths.overlayLink(link)
        unlink(path)
        guard symlink("../\(cacheID)/diff", path) == 0 else {
            throw .internalError("cannot create \(path)", detail: errnoText())
        }
    }

    func isCacheID(_ s: String) -> Bool {
        Digest.isHex64(s) || (s.hasSuffix("-init") && Digest.isHex64(String(s.dropLast(5))))
    }
}
