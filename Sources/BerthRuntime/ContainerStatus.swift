/// Docker's container states, as `inspect` and `ps --format {{.State}}` spell them.
public enum ContainerStatus: String, Codable, Sendable {
    case created, running, paused, restarting, removing, exited, dead
}
