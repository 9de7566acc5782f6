import BerthImages

/// What a container takes from its image's config when `run` does not say otherwise.
struct ImageDefaults {
    var imageID: String
    var cmd: [String]
    var entrypoint: [String]
    var env: [String]
    var workingDir: String
    var user: String
    var labels: [String: String]
    var exposedPorts: [String: EmptyJSON]?

    init(_ image: Image) {
        let c = image.config.config
        imageID = image.id.string
        cmd = c?.cmd ?? []
        entrypoint = c?.entrypoint ?? []
        env = c?.env ?? []
        workingDir = c?.workingDir ?? ""
        user = c?.user ?? ""
        labels = c?.labels ?? [:]
        exposedPorts = c?.exposedPorts.map { Dictionary(uniqueKeysWithValues: $0.keys.map { ($0, EmptyJSON()) }) }
    }
}

extension Runtime {
    /// Lower dirs of a container layer as overlay's `lowerdir=` wants them: absolute, topmost first.
    func lowerDirs(_ layer: ContainerLayer) -> String {
        layer.lowerDirs.joined(separator: ":")
    }
}
