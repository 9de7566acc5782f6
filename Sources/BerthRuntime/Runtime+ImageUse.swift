import BerthCore
import BerthImages

extension Runtime {
    /// Which containers use which image: what `rmi` and `image prune` must respect.
    /// Records whose image field does not parse are left out.
    package func imageUsers() throws -> [ImageUser] {
        try containers().compactMap { r in
            guard let id = try? Digest(parsing: r.image) else { return nil }
            return ImageUser(imageID: id, containerID: r.id.rawValue, running: r.state.status == .running || r.state.status == .paused)
        }
    }
}
