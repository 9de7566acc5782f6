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
    /// `-p` as typed; parsed by `create`.
    public var publish: [String] = []
    public var publishAll = false
    /// `--network`: default (the bridge), bridge, none, host.
    public var network: String?
    public var labels: [String: String] = [:]
    /// Security and resources, as Docker's flags give them (sizes already in bytes).
    public var capAdd: [String] = []
    public var capDrop: [String] = []
    public var privileged = false
    public var securityOpt: [String] = []
    public var readOnly = false
    /// `--tmpfs PATH[:OPTIONS]`
    public var tmpfs: [String] = []
    public var shmSize: Int64?
    public var memory: Int64?
    public var memorySwap: Int64?
    public var nanoCpus: Int64?
    public var pidsLimit: Int64?

    public init(image: String) {
        self.image = image
    }
}
