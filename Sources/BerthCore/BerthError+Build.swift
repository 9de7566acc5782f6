/// `docker build` (the classic builder): messages as the Docker CLI prints them. Errors the
/// daemon raises before the build starts carry "Error response from daemon:"; errors from
/// a running step arrive in the build stream and are printed bare, as Docker does.
extension BerthError {
    public static func dockerfileMissing(_ path: String) -> Self {
        .init(
            message: "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat \(path): no such file or directory",
            exitCode: 1)
    }

    public static func contextMissing(_ path: String) -> Self {
        .init(message: "unable to prepare context: path \"\(path)\" not found", exitCode: 1)
    }

    public static func dockerfileParse(line: Int, _ text: String) -> Self {
        .daemon("dockerfile parse error line \(line): \(text)")
    }

    public static func unknownInstruction(line: Int, _ word: String) -> Self {
        .dockerfileParse(line: line, "unknown instruction: \(word.uppercased())")
    }

    public static func dockerfileEmpty() -> Self {
        .daemon("the Dockerfile (Dockerfile) cannot be empty")
    }

    public static func noFromInstruction() -> Self {
        .daemon("No build stage in current context")
    }

    public static func buildStepFailed(_ command: String, code: Int32) -> Self {
        .init(message: "The command '\(command)' returned a non-zero code: \(code)", exitCode: code)
    }

    public static func pullAccessDenied(_ name: String) -> Self {
        .init(
            message: "pull access denied for \(name), repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
            exitCode: 1)
    }

    public static func forbiddenPath(_ instruction: String, _ path: String) -> Self {
        .init(message: "\(instruction) failed: forbidden path outside the build context: \(path) ()", exitCode: 1)
    }

    public static func buildSourceMissing(_ instruction: String, _ path: String) -> Self {
        .init(
            message: "\(instruction) failed: file not found in build context or excluded by .dockerignore: stat \(path): file does not exist",
            exitCode: 1)
    }

    public static func copyNeedsDirectory(_ instruction: String) -> Self {
        .init(
            message: "When using \(instruction) with more than one source file, the destination must be a directory and end with a /",
            exitCode: 1)
    }

    public static func addFromURL(_ url: String) -> Self {
        .init(
            message: "ADD failed: cannot download \(url): berth builds offline; download the file into the build context and ADD it from there",
            exitCode: 1)
    }

    public static func buildInstructionUnsupported(_ name: String) -> Self {
        .init(message: "\(name) is not supported by berth's builder", exitCode: 1)
    }

    public static func buildCanceled(signal: Int32) -> Self {
        .init(message: "build canceled", exitCode: 128 + signal)
    }
}

extension BerthError {
    public static func imageHasChildren(_ image: String) -> Self {
        .daemon("conflict: unable to delete \(image) (cannot be forced) - image has dependent child images", exitCode: 1)
    }
}
