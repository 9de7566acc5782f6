import BerthCore

/// The `config` object of an image config: the defaults a container starts with.
/// Docker's `container.Config`, limited to what images carry; unknown keys are ignored.
package struct ContainerConfig: Codable, Equatable, Sendable {
    package var user: String?
    /// `{"80/tcp": {}}`.
    package var exposedPorts: [String: EmptyObject]?
    package var env: [String]?
    package var cmd: [String]?
    package var entrypoint: [String]?
    package var volumes: [String: EmptyObject]?
    package var workingDir: String?
    package var labels: [String: String]?
    package var stopSignal: String?
    package var argsEscaped: Bool?
    package var onBuild: [String]?
    package var shell: [String]?

    package init(
        user: String? = nil, exposedPorts: [String: EmptyObject]? = nil, env: [String]? = nil, cmd: [String]? = nil,
        entrypoint: [String]? = nil, volumes: [String: EmptyObject]? = nil, workingDir: String? = nil,
        labels: [String: String]? = nil, stopSignal: String? = nil
    ) {
        self.user = user
        self.exposedPorts = exposedPorts
        self.env = env
        self.cmd = cmd
        self.entrypoint = entrypoint
        self.volumes = volumes
        self.workingDir = workingDir
        self.labels = labels
        self.stopSignal = stopSignal
    }

    enum CodingKeys: String, CodingKey {
        case user = "User", exposedPorts = "ExposedPorts", env = "Env", cmd = "Cmd", entrypoint = "Entrypoint"
        case volumes = "Volumes", workingDir = "WorkingDir", labels = "Labels", stopSignal = "StopSignal"
        case argsEscaped = "ArgsEscaped", onBuild = "OnBuild", shell = "Shell"
    }
}

/// The image config's fields are all `omitempty` (the OCI image spec's), so inspect leaves nil ones out.
extension ContainerConfig.CodingKeys: OmitEmptyCodingKey {
    package var omitsEmpty: Bool { true }
}
