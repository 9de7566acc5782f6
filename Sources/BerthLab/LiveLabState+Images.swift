import BerthCore
import BerthImages
import Foundation

extension LiveLabState {
    /// The image a reference names, with where each of its layers is on disk. "No such image"
    /// is an answer (nil), not an error.
    func loadImage(_ ref: String) throws -> ImageFacts? {
        let image: Image
        do {
            image = try ImageStore(paths: paths).image(ref)
        } catch {
            if error.message.hasPrefix(BerthError.noSuchImage("").message) { return nil }
            throw error
        }
        let layers = image.layers.map { layer in
            // Both halves must be there: the metadata that names the layer and its files.
            let onDisk =
                FileManager.default.fileExists(atPath: paths.layerDB + "/" + layer.chainID.hex)
                && FileManager.default.fileExists(atPath: layer.diffDir)
            return LayerFacts(chainID: layer.chainID.string, diffDir: onDisk ? layer.diffDir : nil, onDisk: onDisk)
        }
        return ImageFacts(id: image.id.string, repoTags: image.repoTags, layers: layers)
    }
}
