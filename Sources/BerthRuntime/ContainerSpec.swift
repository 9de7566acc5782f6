/// What `create` and `run` were asked for, in typed form (the CLI parses flags into this).
public struct ContainerSpec: Sendable {
    public var image: String
    public var name: String?
    public var command: [String] = []
    /// `--entrypoint`: nil keeps the image's; "" clears it.
    public var entrypoint: String?
    public var env: [String] = []
    public var workdir: String?
    public var user: String?
    public var hostname: String?
    public var tty = false
    public var interactive = false
    public var autoRemove = false
    public var binds: [String] = []
    public var labels: [String: String] = [:]

    public init(image: String) {
        self.image = image
    }
}
