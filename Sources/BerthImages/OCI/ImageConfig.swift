import BerthCore
import Foundation

/// An image config: the JSON document whose sha256 is the image ID (Docker's `image.Image`,
/// the OCI image config). Keys are spelled as Docker writes them; unknown keys are ignored.
package struct ImageConfig: Codable, Equatable, Sendable {
    package var architecture: String
    package var variant: String?
    package var os: String
    /// RFC 3339, e.g. `2024-09-26T21:31:42.391838349Z`.
    package var created: String?
    package var author: String?
    /// The container defaults: `Cmd`, `Env`, `ExposedPorts`, ….
    package var config: ContainerConfig?
    package var rootfs: RootFS
    package var history: [HistoryEntry]?
    /// The classic builder's step records: the image this one was built on, the build
    /// container, and that container's config, whose `Cmd` names the step (the build cache
    /// matches on it). Absent from pulled and seeded images.
    package var parent: String?
    package var container: String?
    package var containerConfig: ContainerConfig?

    package init(
        architecture: String, variant: String? = nil, os: String = "linux", created: String? = nil,
        author: String? = nil, config: ContainerConfig? = nil, rootfs: RootFS, history: [HistoryEntry]? = nil
    ) {
        self.architecture = architecture
        self.variant = variant
        self.os = os
        self.created = created
        self.author = author
        self.config = config
        self.rootfs = rootfs
        self.history = history
    }

    enum CodingKeys: String, CodingKey {
        case architecture, variant, os, created, author, config, rootfs, history, parent, container
        case containerConfig = "container_config"
    }

    /// The bytes berth writes for a config it makes: sorted keys, no escaped slashes, so
    /// the same config always gets the same image ID.
    package func encoded() throws(BerthError) -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try enc.encode(self)
        } catch {
            throw .internalError("cannot encode an image config", detail: "\(error)")
        }
    }

    /// Decodes config bytes as stored or received.
    package static func decode(_ data: Data, path: String = "image config") throws(BerthError) -> ImageConfig {
        do {
            return try JSONDecoder().decode(ImageConfig.self, from: data)
        } catch {
            throw .imageStoreCorrupt(path, "\(error)")
        }
    }
}
