import BerthCore
import Foundation

extension ImageStore {
    /// Adds an image whose config berth made (commit, seed, tests): encodes it with sorted
    /// keys, so the same config always gets the same ID. See `registerImage(configJSON:tags:)`.
    package func registerImage(config: ImageConfig, tags: [String] = []) throws(BerthError) -> Image {
        try registerImage(configJSON: try config.encoded(), tags: tags)
    }

    /// Adds an image from its config bytes exactly as received (pull, load): the ID is the
    /// sha256 of these bytes. Every layer in `rootfs.diff_ids` must already be in the store
    /// (`createLayer`). Each tag (`name[:tag]`) then points at the image, moving from any
    /// image it named before. Takes the state lock.
    package func registerImage(configJSON data: Data, tags: [String] = []) throws(BerthError) -> Image {
        let references = try tags.map { (t: String) throws(BerthError) -> ImageReference in
            let r = try ImageReference(parsing: t)
            if r.digest != nil { throw .tagWithDigest }
            return r
        }
        return try locked { () throws(BerthError) -> Image in
            try registerImageLocked(configJSON: data, tags: references)
        }
    }

    /// `docker tag SOURCE TARGET`: points `target` (default tag `latest`) at the image
    /// `source` resolves to. Takes the state lock.
    package func tag(_ source: String, _ target: String) throws(BerthError) {
        let reference = try ImageReference(parsing: target)
        if reference.digest != nil { throw .tagWithDigest }
        try locked { () throws(BerthError) in
            let image = try image(source)
            var repositories = try readRepositories()
            repositories.set(reference, to: image.id)
            try writeRepositories(repositories)
        }
    }

    func registerImageLocked(configJSON data: Data, tags: [ImageReference]) throws(BerthError) -> Image {
        let id = Digest.sha256(of: data)
        let config = try ImageConfig.decode(data)
        _ = try layers(diffIDs: config.rootfs.diffIDs)  // all present, or throw before writing anything
        try StoreFiles.makeDirectories(paths.imageDB)
        if !StoreFiles.exists(paths.imageConfig(id)) {
            try StoreFiles.attempt("cannot write \(paths.imageConfig(id))") {
                try AtomicFile.write(data, to: paths.imageConfig(id), mode: 0o600)
            }
        }
        var repositories = try readRepositories()
        if !tags.isEmpty {
            for t in tags { repositories.set(t, to: id) }
            try writeRepositories(repositories)
        }
        guard let image = try loadImage(id, repositories: repositories) else {
            throw .imageStoreCorrupt(paths.imageConfig(id), "vanished after it was written")
        }
        return image
    }

    func writeRepositories(_ repositories: RepositoriesFile) throws(BerthError) {
        try StoreFiles.makeDirectories(paths.imageRoot)
        try StoreFiles.attempt("cannot write \(paths.repositories)") {
            try AtomicFile.writeJSON(repositories, to: paths.repositories)
        }
    }
}
