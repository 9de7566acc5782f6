#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// A container that uses an image, as the runtime reports it (the store knows layers, not containers).
package struct ImageUser: Sendable {
    package var imageID: Digest
    package var containerID: String
    package var running: Bool

    package init(imageID: Digest, containerID: String, running: Bool) {
        self.imageID = imageID
        self.containerID = containerID
        self.running = running
    }
}

extension ImageStore {
    /// `docker rmi REF`: Docker's rules. A name is untagged; the image goes when no name is
    /// left. An ID with several names needs `force`. An image a container uses is refused
    /// unless `force`, which takes only its names (by ID, a running container's image is
    /// refused even then); the image stays for its containers. Layers go only when no other
    /// image and no container stands on them. Returns `Untagged:`/`Deleted:` lines.
    /// With `prune` (Docker's default), untagged parents a build left (intermediate images)
    /// go too, as long as nothing else stands on them.
    package func remove(_ ref: String, force: Bool, users: [ImageUser], prune: Bool = true) throws(BerthError) -> [String] {
        try locked { () throws(BerthError) -> [String] in
            let image = try image(ref)
            var repositories = try readRepositories()
            let reference = Digest.isHex64(ref) ? nil : try? ImageReference(parsing: ref)
            let byName = reference.map { repositories.repositories[$0.familiarName]?[$0.storeKey] == image.id.string } ?? false
            let using = users.filter { $0.imageID == image.id }
            var lines: [String] = []
            if byName, let reference, image.repoTags.count > 1 {
                // Another name keeps the image: only this name goes.
                repositories.remove(reference)
                try writeRepositories(repositories)
                return ["Untagged: \(reference.familiar)"]
            }
            // By ID, Docker looks for a running container first ("cannot be forced"), then a stopped one.
            if !byName, let running = using.first(where: \.running) {
                throw BerthError.imageInUseByRunning(image.id.short, container: String(running.containerID.prefix(12)))
            }
            if let user = using.first, !force {
                throw byName
                    ? BerthError.imageReferenceInUse(ref, container: String(user.containerID.prefix(12)), image: image.id.short)
                    : BerthError.imageInUse(image.id.short, container: String(user.containerID.prefix(12)))
            }
            if !byName && image.repoTags.count > 1 && !force {
                throw BerthError.imageInManyRepositories(image.id.short)
            }
            let hasChildren = !(childrenByParent()[image.id] ?? []).isEmpty
            if hasChildren && !byName && image.repoTags.isEmpty {
                throw BerthError.imageHasChildren(image.id.short)
            }
            for tag in image.repoTags {
                if let r = try? ImageReference(parsing: tag) { repositories.remove(r) }
                lines.append("Untagged: \(tag)")
            }
            for digestRef in repositories.digestKeys(for: image.id) {
                repositories.removeKey(digestRef)
                lines.append("Untagged: \(digestRef)")
            }
            try writeRepositories(repositories)
            if !using.isEmpty { return lines }  // forced: names gone, the image stays for its containers
            if hasChildren { return lines }  // images built on it keep it, untagged, as Docker does
            lines += try deleteWithParentsLocked(image, users: users, prune: prune)
            return lines
        }
    }

    /// Deletes `image`, then (with `prune`) each untagged parent that no other image is built
    /// on and no container uses: the intermediate images of a build.
    func deleteWithParentsLocked(_ image: Image, users: [ImageUser], prune: Bool) throws(BerthError) -> [String] {
        var next = prune ? parent(of: image.id) : nil
        var lines = try deleteImageLocked(image, keepingFor: users)
        let repositories = try readRepositories()
        while let id = next {
            guard let candidate = try loadImage(id, repositories: repositories), candidate.repoTags.isEmpty,
                repositories.digestKeys(for: id).isEmpty, !users.contains(where: { $0.imageID == id }),
                (childrenByParent()[id] ?? []).isEmpty
            else { break }
            next = parent(of: id)
            lines += try deleteImageLocked(candidate, keepingFor: users)
        }
        return lines
    }

    /// Deletes an untagged image's config and every layer of it nothing else uses.
    func deleteImageLocked(_ image: Image, keepingFor users: [ImageUser]) throws(BerthError) -> [String] {
        var lines = ["Deleted: \(image.id)"]
        unlink(paths.imageConfig(image.id))
        try? StoreFiles.removeTree(paths.imageMetadata + "/" + image.id.hex)
        let inUse = try layersInUse()
        for layer in image.layers.reversed() where !inUse.contains(layer.chainID) {
            try deleteLayerLocked(layer)
            lines.append("Deleted: \(layer.chainID)")
        }
        return lines
    }

    /// ChainIDs that images or container layers stand on.
    func layersInUse() throws(BerthError) -> Set<Digest> {
        var used: Set<Digest> = []
        for id in imageIDs() {
            guard let data = try? StoreFiles.readData(paths.imageConfig(id)), let config = try? ImageConfig.decode(data) else { continue }
            used.formUnion(Digest.chainIDs(config.rootfs.diffIDs))
        }
        for container in (try? FileManager.default.contentsOfDirectory(atPath: paths.layerMounts)) ?? [] {
            var next = try StoreFiles.readText(paths.layerMount(container) + "/parent").flatMap { Digest(stored: $0) }
            while let chainID = next, used.insert(chainID).inserted {
                next = try StoreFiles.readText(paths.layerMetadata(chainID) + "/parent").flatMap { Digest(stored: $0) }
            }
        }
        return used
    }

    /// Removes a layer: its layerdb record first (so a crash leaves at worst an unreferenced
    /// directory, never a record without files), then its link and directory.
    func deleteLayerLocked(_ layer: Layer) throws(BerthError) {
        let meta = paths.layerMetadata(layer.chainID)
        let trash = try StoreFiles.stagingDirectory(paths, "delete")
        defer { try? StoreFiles.removeTree(trash) }
        try StoreFiles.rename(meta, trash + "/meta")
        unlink(paths.overlayLink(layer.link))
        try StoreFiles.rename(paths.overlayLayer(layer.cacheID), trash + "/layer")
    }

    /// `docker image prune [-a]`: dangling images (no name), or with `all` every image no
    /// container uses. Returns the lines and the bytes reclaimed.
    package func prune(all: Bool, users: [ImageUser]) throws(BerthError) -> (lines: [String], reclaimed: Int64) {
        try locked { () throws(BerthError) -> ([String], Int64) in
            cleanStaleStaging()
            let used = Set(users.map(\.imageID))
            var lines: [String] = []
            var reclaimed: Int64 = 0
            var repositories = try readRepositories()
            let children = childrenByParent()
            // Intermediate images (untagged, with children) go with the image built on them.
            for image in images() where !used.contains(image.id) && (all || (image.repoTags.isEmpty && (children[image.id] ?? []).isEmpty)) {
                guard StoreFiles.exists(paths.imageConfig(image.id)) else { continue }
                for tag in image.repoTags {
                    if let r = try? ImageReference(parsing: tag) { repositories.remove(r) }
                    lines.append("untagged: \(tag)")
                }
                try writeRepositories(repositories)
                let before = diskUsage()
                for line in try deleteWithParentsLocked(image, users: users, prune: true) { lines.append(line.replacingOccurrences(of: "Deleted:", with: "deleted:")) }
                reclaimed += max(0, before - diskUsage())
            }
            return (lines, reclaimed)
        }
    }

    /// Sum of every layer's size: `docker system df`'s images total.
    func diskUsage() -> Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: paths.layerDB)) ?? []
        return names.compactMap { Digest(hex: $0) }.reduce(Int64(0)) { total, chainID in
            total + ((try? layer(chainID: chainID))??.size ?? 0)
        }
    }

    /// Removes `tmp/<purpose>-<pid>-<random>` directories whose process is gone (a killed pull or load).
    package func cleanStaleStaging() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: paths.tmp)) ?? [] {
            let parts = name.split(separator: "-")
            guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { continue }
            if pid == getpid() || (kill(pid, 0) == 0 || errno == EPERM) { continue }
            try? StoreFiles.removeTree(paths.tmp + "/" + name)
        }
    }
}

extension Digest {
    /// A digest from a store file, nil when it does not parse.
    init?(stored text: String) {
        guard let d = try? Digest(parsing: text.trimmed) else { return nil }
        self = d
    }
}

extension RepositoriesFile {
    mutating func remove(_ reference: ImageReference) {
        repositories[reference.familiarName]?[reference.storeKey] = nil
        if repositories[reference.familiarName]?.isEmpty == true { repositories[reference.familiarName] = nil }
    }

    func digestKeys(for id: Digest) -> [String] {
        repositories.values.flatMap { $0.filter { $0.value == id.string && $0.key.contains("@") }.map(\.key) }.sorted()
    }

    mutating func removeKey(_ key: String) {
        for (repo, tags) in repositories where tags[key] != nil {
            repositories[repo]?[key] = nil
            if repositories[repo]?.isEmpty == true { repositories[repo] = nil }
        }
    }
}
