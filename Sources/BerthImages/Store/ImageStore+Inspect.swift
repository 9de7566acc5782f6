import BerthCore
import Foundation

/// `docker image inspect`'s object, with Docker's keys.
package struct ImageInspect: Encodable, Sendable {
    package var id: String
    package var repoTags: [String]
    package var repoDigests: [String]
    package var parent = ""
    package var comment: String
    package var created: String
    package var dockerVersion = ""
    package var author: String
    package var config: ContainerConfig?
    package var architecture: String
    package var variant: String?
    package var os: String
    package var size: Int64
    package var graphDriver: GraphDriver
    package var rootFS: RootFSInspect
    package var metadata: [String: String]

    package struct GraphDriver: Encodable, Sendable {
        package var data: [String: String]
        package var name = "overlay2"
        enum CodingKeys: String, CodingKey { case data = "Data", name = "Name" }
    }

    package struct RootFSInspect: Encodable, Sendable {
        package var type = "layers"
        package var layers: [String]
        enum CodingKeys: String, CodingKey { case type = "Type", layers = "Layers" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", repoDigests = "RepoDigests", parent = "Parent", comment = "Comment"
        case created = "Created", dockerVersion = "DockerVersion", author = "Author", config = "Config"
        case architecture = "Architecture", variant = "Variant", os = "Os", size = "Size", graphDriver = "GraphDriver"
        case rootFS = "RootFS", metadata = "Metadata"
    }
}

extension ImageStore {
    /// `name@sha256:…` entries that point at the image (set by pull).
    package func repoDigests(_ id: Digest) -> [String] {
        guard let repositories = try? readRepositories() else { return [] }
        return repositories.digestKeys(for: id)
    }

    /// Records `name@digest` for a pulled image, as Docker keeps RepoDigests. Takes the lock.
    package func addRepoDigest(_ reference: ImageReference, manifest: Digest, image: Digest) throws(BerthError) {
        try locked { () throws(BerthError) in
            var repositories = try readRepositories()
            repositories.repositories[reference.familiarName, default: [:]][reference.familiarName + "@" + manifest.string] = image.string
            try writeRepositories(repositories)
        }
    }

    /// What `docker image inspect REF` prints for one image.
    package func inspect(_ ref: String) throws(BerthError) -> ImageInspect {
        let image = try image(ref)
        let diffDirs = image.layers.reversed().map(\.diffDir)
        var data: [String: String] = [:]
        if let top = diffDirs.first {
            data = ["MergedDir": top.replacingOccurrences(of: "/diff", with: "/merged"), "UpperDir": top,
                    "WorkDir": top.replacingOccurrences(of: "/diff", with: "/work")]
            if diffDirs.count > 1 { data["LowerDir"] = diffDirs.dropFirst().joined(separator: ":") }
        }
        return ImageInspect(
            id: image.id.string, repoTags: image.repoTags, repoDigests: repoDigests(image.id),
            parent: parent(of: image.id)?.string ?? "",
            comment: image.config.history?.last?.comment ?? "",
            created: image.config.created ?? "0001-01-01T00:00:00Z", author: image.config.author ?? "",
            config: image.config.config, architecture: image.config.architecture, variant: image.config.variant,
            os: image.config.os, size: image.size, graphDriver: .init(data: data),
            rootFS: .init(layers: image.config.rootfs.diffIDs.map(\.string)),
            metadata: ["LastTagTime": "0001-01-01T00:00:00Z"])
    }
}
