/// Every user-visible sentence lives here, worded as Docker words it.
extension BerthError {
    public static func daemon(_ text: String, exitCode: Int32 = 1) -> Self {
        .init(message: "Error response from daemon: \(text)", exitCode: exitCode)
    }

    public static func noSuchContainer(_ ref: String) -> Self {
        .daemon("No such container: \(ref)")
    }

    public static func noSuchImage(_ ref: String) -> Self {
        .daemon("No such image: \(ref)")
    }

    /// The CLI's own words (docker inspect looks each kind up in turn), not the daemon's.
    public static func noSuchObject(_ ref: String) -> Self {
        .init(message: "Error: No such object: \(ref)", exitCode: 1)
    }

    public static func ambiguousContainer(_ ref: String) -> Self {
        .daemon("multiple IDs found with provided prefix: \(ref)")
    }

    /// `context`: what moby wraps the conflict in (rename: "Error when allocating new name: ").
    public static func nameInUse(_ name: String, by id: String, context: String = "") -> Self {
        .daemon(
            context + "Conflict. The container name \"/\(name)\" is already in use by container \"\(id)\". "
                + "You have to remove (or rename) that container to be able to reuse that name.",
            exitCode: 1)
    }

    /// docker/cli's CheckTty: `-it` needs a terminal on stdin (the CLI's words, exit 1).
    public static let notATTY = BerthError(message: "the input device is not a TTY", exitCode: 1)

    public static func invalidName(_ name: String) -> Self {
        .daemon(
            "Invalid container name (\(name)), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
            exitCode: 1)
    }

    public static func executableNotFound(_ cmd: String) -> Self {
        .daemon(
            "failed to create task for container: OCI runtime create failed: "
                + "exec: \"\(cmd)\": executable file not found in $PATH: unknown",
            exitCode: 127)
    }

    public static func permissionDenied(_ cmd: String) -> Self {
        .daemon(
            "failed to create task for container: OCI runtime create failed: "
                + "exec: \"\(cmd)\": permission denied: unknown",
            exitCode: 126)
    }

    public static func notRunning(_ id: String) -> Self {
        .daemon("Container \(id) is not running", exitCode: 1)
    }

    public static func cannotRemoveRunning(_ id: String) -> Self {
        .daemon(
            "cannot remove container \"/\(id)\": container is running: "
                + "stop the container before removing or force remove",
            exitCode: 1)
    }

    public static func copyBetweenContainers() -> Self {
        .init(message: "copying between containers is not supported", exitCode: 1)
    }

    public static func invalidReference(_ ref: String) -> Self {
        .init(message: "invalid reference format: \(ref)", exitCode: 125)
    }

    /// A failure of berth itself (exit 125), with the low-level cause kept for `--debug`.
    public static func internalError(_ text: String, detail: String = "") -> Self {
        .init(message: "Error response from daemon: \(text)", exitCode: 125, detail: detail)
    }
}
