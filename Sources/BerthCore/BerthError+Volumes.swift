/// The volume store's user-visible sentences. Docker's volume service wraps each cause as
/// `OP NAME: cause` (its `OpErr`), so the operation and the name lead every message.
extension BerthError {
    /// `docker volume inspect|rm NAME` of a volume that does not exist.
    public static func noSuchVolume(_ name: String) -> Self {
        .daemon("get \(name): no such volume")
    }

    /// `docker volume rm NAME` while containers (running or stopped) still reference it.
    public static func volumeInUse(_ name: String, by containers: [String]) -> Self {
        .daemon("remove \(name): volume is in use - [\(containers.joined(separator: " "))]")
    }

    /// The local driver's name rule (`[a-zA-Z0-9][a-zA-Z0-9_.-]+`): a path such as `../x`
    /// must never become a directory under `volumes/`.
    public static func invalidVolumeName(_ name: String, exitCode: Int32 = 1) -> Self {
        .daemon(
            "create \(name): \"\(name)\" includes invalid characters for a local volume name, only "
                + "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
            exitCode: exitCode)
    }

    public static func volumeNameTooShort(_ name: String, exitCode: Int32 = 1) -> Self {
        .daemon(
            "create \(name): volume name is too short, names should be at least two alphanumeric characters",
            exitCode: exitCode)
    }

    /// `-v` text that is none of `HOST:CONTAINER[:MODE]`, `NAME:CONTAINER[:MODE]`, `CONTAINER`.
    public static func invalidVolumeSpec(_ spec: String) -> Self {
        .init(message: "invalid volume specification: '\(spec)'", exitCode: 125)
    }

    public static func invalidMountPath(_ spec: String, type: String, path: String) -> Self {
        .init(
            message: "invalid volume specification: '\(spec)': invalid mount config for type \"\(type)\": "
                + "invalid mount path: '\(path)' mount path must be absolute", exitCode: 125)
    }

    /// Two mounts (`-v`) on one container path.
    public static func duplicateMountPoint(_ path: String) -> Self {
        .daemon("Duplicate mount point: \(path)", exitCode: 125)
    }
}
