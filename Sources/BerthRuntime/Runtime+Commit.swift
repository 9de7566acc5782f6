import BerthCore
import BerthImages

extension Runtime {
    /// `docker commit CONTAINER [REPO[:TAG]]`: the container's writes become a new layer on
    /// its image, and its configuration (command, env, workdir, ports, labels) the new
    /// image's defaults, as Docker's commit does. Returns the new image.
    package func commit(
        _ ref: String, tag: String?, author: String? = nil, message: String? = nil
    ) throws -> Image {
        let record = try container(ref)
        let image = try images.image(record.image)
        let c = record.config
        let config = ContainerConfig(
            user: c.user.isEmpty ? nil : c.user,
            exposedPorts: c.exposedPorts.map { Dictionary(uniqueKeysWithValues: $0.keys.map { ($0, EmptyObject()) }) },
            env: c.env, cmd: c.cmd, entrypoint: c.entrypoint, workingDir: c.workingDir.isEmpty ? nil : c.workingDir,
            labels: c.labels.isEmpty ? nil : c.labels)
        let createdBy = ([record.path] + record.args).joined(separator: " ")
        return try images.commit(
            containerID: record.id.rawValue, image: image, containerConfig: config, createdBy: createdBy,
            author: author, comment: message, tags: tag.map { [$0] } ?? [])
    }
}
