#if canImport(Glibc)
import Glibc
#endif
import BerthCore

extension ImageStore {
    /// What applying one layer archive gave.
    package struct AppliedLayer: Sendable {
        package var layer: Layer
        /// Entries left out (device nodes without root).
        package var skipped: [String]
        /// False when the ChainID was already in the store and the new tree was discarded.
        package var created: Bool
    }

    /// Unpacks the layer archive in `file` (a seekable fd; plain, gzip or zstd tar) on top of
    /// the layer `parent` with `LayerApplier`, in `tmp/`, and registers it under the lock.
    /// When `expected` is given the uncompressed stream must hash to it (a config's DiffID),
    /// or nothing is kept. Keeps a `tar-split` so `save` rebuilds the same bytes.
    package func applyLayer(file: Int32, parent: Digest?, expected: Digest? = nil) throws(BerthError) -> AppliedLayer {
        let staged = try StoreFiles.stagingDirectory(paths, "apply")
        defer { try? StoreFiles.removeTree(staged) }
        try StoreFiles.makeDirectory(staged + "/layer")
        try StoreFiles.makeDirectory(staged + "/layer/diff")
        let stream = try DecompressedStream(file: file)
        let recorder = TarSplit.Recorder()
        let result = try LayerApplier().apply(fd: stream.fd, into: staged + "/layer/diff", split: recorder)
        try stream.finish()
        if let expected, expected != result.diffID {
            throw .diffIDMismatch(expected: expected.string, got: result.diffID.string)
        }
        try recorder.write(to: staged + "/" + TarSplit.fileName)
        return try locked { () throws(BerthError) -> AppliedLayer in
            let chainID = Digest.chainID(parent: parent, diffID: result.diffID)
            if let existing = try layer(chainID: chainID) {
                return AppliedLayer(layer: existing, skipped: result.skipped, created: false)
            }
            let parentLayer = try parent.map { (p: Digest) throws(BerthError) -> Layer in
                guard let l = try layer(chainID: p) else {
                    throw .imageStoreCorrupt(paths.layerMetadata(p), "parent layer is missing")
                }
                return l
            }
            let registered = try registerLayerLocked(
                staged: staged + "/layer", diffID: result.diffID, size: result.contentSize, parent: parentLayer,
                split: staged + "/" + TarSplit.fileName)
            return AppliedLayer(layer: registered, skipped: result.skipped, created: true)
        }
    }

    /// Writes the layer's exact tar (the bytes its DiffID names) to `fd`: rebuilt from its
    /// `tar-split` when it has one, or archived again from its tree (seed and committed
    /// layers, which berth archived itself). Throws when the bytes no longer hash to the DiffID.
    package func writeLayerTar(_ layer: Layer, to fd: Int32) throws(BerthError) {
        let got: Digest
        if let data = try StoreFiles.readData(paths.layerMetadata(layer.chainID) + "/" + TarSplit.fileName) {
            let records = try TarSplit.records(Array(data), path: paths.layerMetadata(layer.chainID))
            got = try TarSplit.replay(records, diffDir: layer.diffDir, to: fd)
        } else {
            got = try archiverMatching(layer).archive(directory: layer.diffDir, to: fd).diffID
        }
        guard got == layer.diffID else {
            throw .diffIDMismatch(expected: layer.diffID.string, got: got.string)
        }
    }

    /// The length of `writeLayerTar`'s output, without writing it.
    package func layerTarSize(_ layer: Layer) throws(BerthError) -> Int64 {
        if let data = try StoreFiles.readData(paths.layerMetadata(layer.chainID) + "/" + TarSplit.fileName) {
            return TarSplit.length(try TarSplit.records(Array(data), path: paths.layerMetadata(layer.chainID)))
        }
        return try archiverMatching(layer).archive(directory: layer.diffDir).tarSize
    }

    /// A layer berth archived itself was measured either with owners forced to 0:0 (seeds)
    /// or as they are; pick the one that reproduces the DiffID.
    func archiverMatching(_ layer: Layer) throws(BerthError) -> LayerArchiver {
        for candidate in [LayerArchiver(overlayWhiteouts: true), LayerArchiver(owner: (0, 0), overlayWhiteouts: true)] {
            if try candidate.archive(directory: layer.diffDir).diffID == layer.diffID { return candidate }
        }
        throw .imageStoreCorrupt(layer.diffDir, "the layer's files no longer match its DiffID \(layer.diffID)")
    }
}
