/// An OCI content descriptor: what a manifest or index says about one blob.
package struct Descriptor: Codable, Equatable, Sendable {
    package var mediaType: String
    package var digest: String
    package var size: Int64
    package var platform: Platform?
    package var annotations: [String: String]?
    package var urls: [String]?

    package init(mediaType: String, digest: Digest, size: Int64, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest.string
        self.size = size
        self.annotations = annotations
    }

    enum CodingKeys: String, CodingKey {
        case mediaType, digest, size, platform, annotations, urls
    }
}

package struct Platform: Codable, Equatable, Sendable {
    package var architecture: String
    package var os: String
    package var variant: String?

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
    }
}

/// An image manifest (Docker schema2 or OCI) or an index / manifest list: the fields of both,
/// told apart by `mediaType` and by which of `manifests`/`layers` is present.
package struct Manifest: Codable, Equatable, Sendable {
    package var schemaVersion: Int
    package var mediaType: String?
    package var config: Descriptor?
    package var layers: [Descriptor]?
    package var manifests: [Descriptor]?
    package var annotations: [String: String]?

    enum CodingKeys: String, CodingKey {
        case schemaVersion, mediaType, config, layers, manifests, annotations
    }

    package var isIndex: Bool { manifests != nil && layers == nil }
}

/// Media types Berth reads and writes.
package enum MediaType {
    package static let ociIndex = "application/vnd.oci.image.index.v1+json"
    package static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    package static let ociConfig = "application/vnd.oci.image.config.v1+json"
    package static let ociLayer = "application/vnd.oci.image.layer.v1.tar"
    package static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    package static let ociLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd"
    package static let dockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
    package static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    package static let dockerConfig = "application/vnd.docker.container.image.v1+json"
    package static let dockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip"
    package static let dockerForeignLayer = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"

    package static let indexes: Set<String> = [ociIndex, dockerList]
    package static let manifests: Set<String> = [ociManifest, dockerManifest]
}

/// One entry of a docker-save `manifest.json`.
struct SaveManifestEntry: Codable, Sendable {
    var config: String
    var repoTags: [String]?
    var layers: [String]

    enum CodingKeys: String, CodingKey {
        case config = "Config", repoTags = "RepoTags", layers = "Layers"
    }
}
