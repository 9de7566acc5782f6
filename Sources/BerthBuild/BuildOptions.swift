/// What `berth build` was asked for, in typed form.
package struct BuildOptions: Sendable {
    /// The context directory.
    package var context: String
    /// `-f`: the Dockerfile's path (relative to the current directory), nil for `CONTEXT/Dockerfile`.
    package var dockerfile: String?
    /// `-t`, as typed.
    package var tags: [String] = []
    /// `--build-arg K=V`, in order; a bare `K` takes the value from the environment.
    package var buildArgs: [(key: String, value: String?)] = []
    package var noCache = false
    package var quiet = false

    package init(context: String) {
        self.context = context
    }
}
