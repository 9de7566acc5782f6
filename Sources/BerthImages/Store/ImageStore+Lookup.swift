import BerthCore
import Foundation

extension ImageStore {
    /// Resolves what a user typed, in Docker's order: a full ID (`<64 hex>` or `sha256:<64 hex>`),
    /// then a name (`busybox`, `busybox:1.36`, `docker.io/library/busybox:latest`,
    /// `name@sha256:…`), then a unique ID prefix (`3f57`, `sha256:3f57`).
    /// Throws `No such image: busybox:latest`, Docker's reference errors for malformed names,
    /// and `ambiguous reference` when a prefix matches several images. Never builds a seed image.
    package func image(_ ref: String) throws(BerthError) -> Image {
        let repositories = try readRepositories()
        if Digest.isHex64(ref) || (ref.hasPrefix("sha256:") && Digest.isHex64(String(ref.dropFirst(7)))) {
            let id = try Digest(parsing: ref.hasPrefix("sha256:") ? ref : "sha256:" + ref)
            guard let image = try loadImage(id, repositories: repositories) else { throw .noSuchImage(id.string) }
            return image
        }
        if ref.hasPrefix("sha256:") {
            let prefix = String(ref.dropFirst(7))
            guard !prefix.isEmpty, prefix.utf8.allSatisfy(Digest.isLowerHex) else { throw .noSuchImage(ref) }
            guard let image = try imageByPrefix(prefix, ref: ref, repositories: repositories) else {
                throw .noSuchImage(ref)
            }
            return image
        }
        let reference = try ImageReference(parsing: ref)
        if let idText = repositories.repositories[reference.familiarName]?[reference.storeKey] {
            let id = try Digest(stored: idText, at: paths.repositories)
            if let image = try loadImage(id, repositories: repositories) { return image }
        }
        if ref.utf8.allSatisfy(Digest.isLowerHex), let image = try imageByPrefix(ref, ref: ref, repositories: repositories) {
            return image
        }
        throw .noSuchImage(reference.familiar)
    }

    /// Every image in the store, newest first. Damaged entries are left out.
    package func images() -> [Image] {
        guard let repositories = try? readRepositories() else { return [] }
        return imageIDs().compactMap { try? loadImage($0, repositories: repositories) }
            .sorted { ($0.created, $0.id.hex) > ($1.created, $1.id.hex) }
    }

    /// The IDs under `imagedb/content/sha256`.
    func imageIDs() -> [Digest] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: paths.imageDB)) ?? []
        return names.compactMap { Digest(hex: $0) }
    }

    func imageByPrefix(_ prefix: String, ref: String, repositories: RepositoriesFile) throws(BerthError) -> Image? {
        let hits = imageIDs().filter { $0.hex.hasPrefix(prefix) }
        if hits.count > 1 { throw .ambiguousImage(ref) }
        guard let id = hits.first else { return nil }
        return try loadImage(id, repositories: repositories)
    }

    /// The image with this ID, or nil when its config is not in the store.
    func loadImage(_ id: Digest, repositories: RepositoriesFile) throws(BerthError) -> Image? {
        let path = paths.imageConfig(id)
        guard let data = try StoreFiles.readData(path) else { return nil }
        let config = try ImageConfig.decode(data, path: path)
        let layers = try layers(diffIDs: config.rootfs.diffIDs)
        let tags = repositories.repositories.values.flatMap { repo in
            repo.filter { $0.value == id.string && !$0.key.contains("@") }.map(\.key)
        }
        return Image(
            id: id, config: config, repoTags: tags.sorted(), layers: layers,
            created: config.created.flatMap(RFC3339.parse) ?? Date(timeIntervalSince1970: 0),
            size: layers.reduce(0) { $0 + $1.size })
    }

    /// `repositories.json`, empty when the store has none yet.
    func readRepositories() throws(BerthError) -> RepositoriesFile {
        guard let data = try StoreFiles.readData(paths.repositories) else { return RepositoriesFile() }
        do {
            return try JSONDecoder().decode(RepositoriesFile.self, from: data)
        } catch {
            throw .imageStoreCorrupt(paths.repositories, "\(error)")
        }
    }
}
