import BerthCore
import BerthImages

extension Runtime {
    /// `docker diff`: the container's changes to its image's files, from its overlay upper dir
    /// (nothing is mounted, so a running and a stopped container read alike).
    public func diff(_ ref: String) throws -> [String] {
        let record = try container(ref)
        return try images.containerLayer(containerID: record.id.rawValue).changes().map(\.description)
    }
}
