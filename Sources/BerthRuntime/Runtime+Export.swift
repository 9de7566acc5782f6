import BerthCore
import BerthImages

extension Runtime {
    /// `docker export CONTAINER`: the container's filesystem (its writes over its image, as
    /// overlayfs shows them) as one tar written to `fd`. Works on stopped containers too.
    package func export(_ ref: String, to fd: Int32) throws {
        let record = try container(ref)
        try images.exportContainer(containerID: record.id.rawValue, to: fd)
    }
}
