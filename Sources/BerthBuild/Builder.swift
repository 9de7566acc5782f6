#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// Docker's classic (non-BuildKit) builder: every instruction makes one image on top of the
/// last (RUN, ADD and COPY with a layer, the others with config changes only), each
/// recording its parent and its step (`container_config.Cmd`), which is what the cache
/// matches on the next time. See Documentation/Build.md.
package struct Builder {
    let runtime: Runtime
    let images: ImageStore
    let console: Console
    let options: BuildOptions

    package init(paths: StatePaths, console: Console, options: BuildOptions) {
        self.runtime = Runtime(paths: paths)
        self.images = ImageStore(paths: paths)
        self.console = console
        self.options = options
    }

    /// Runs the build; returns the final image (already tagged).
    package func build() throws -> Image {
        let cwd = FileManager.default.currentDirectoryPath
        let contextPath = absolute(options.context, cwd: cwd)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: contextPath, isDirectory: &isDir), isDir.boolValue else {
            throw BerthError.contextMissing(options.context)
        }
        let dockerfilePath = options.dockerfile.map { absolute($0, cwd: cwd) } ?? defaultDockerfile(contextPath)
        var st = stat()
        guard lstat(dockerfilePath, &st) == 0 else { throw BerthError.dockerfileMissing(dockerfilePath) }
        let references = try options.tags.map { t -> ImageReference in
            do {
                return try ImageReference(parsing: t)
            } catch {
                throw BerthError(message: "invalid argument \"\(t)\" for \"-t, --tag\" flag: invalid reference format", exitCode: 125)
            }
        }
        let text = try String(contentsOfFile: dockerfilePath, encoding: .utf8)

        let staging = try images.stagingDirectory("build")
        defer { images.removeStaging(staging) }
        try ensureDirectory(staging + "/context")
        var keep: Set<String> = [".dockerignore"]
        if dockerfilePath.hasPrefix(contextPath + "/") { keep.insert(String(dockerfilePath.dropFirst(contextPath.count + 1))) }
        let context = try BuildContext.stage(context: contextPath, into: staging + "/context", keep: keep)
        say("Sending build context to Docker daemon  \(HumanSize.string(context.size, precision: 4))")
        say("")

        let dockerfile = try Dockerfile.parse(text)
        guard !dockerfile.instructions.isEmpty else { throw BerthError.dockerfileEmpty() }
        guard dockerfile.instructions.contains(where: { $0.keyword == "FROM" }),
            let firstReal = dockerfile.instructions.first(where: { $0.keyword != "ARG" }), firstReal.keyword == "FROM"
        else { throw BerthError.noFromInstruction() }

        // SIGINT, SIGTERM and SIGHUP stop the build at the next safe point (between steps, or
        // while a RUN waits), which removes its container, instead of killing it mid-step.
        let signals = SignalPipe([SIGINT, SIGTERM, SIGHUP], unblock: true)
        defer { signals.stop() }
        var run = BuildRun(
            builder: self, context: context, lex: ShellLex(escape: dockerfile.escape), signals: signals,
            buildArgs: resolvedBuildArgs())
        let total = dockerfile.instructions.count
        for (i, instruction) in dockerfile.instructions.enumerated() {
            if let s = signals.pending() { throw BerthError.buildCanceled(signal: s) }
            say("Step \(i + 1)/\(total) : \(instruction.original)")
            try run.dispatch(instruction)
        }
        guard let final = run.state.image else { throw BerthError.noFromInstruction() }
        if let s = signals.pending() { throw BerthError.buildCanceled(signal: s) }

        let unused = run.buildArgs.keys.filter { !run.consumed.contains($0) && !BuildRun.builtinArgs.contains($0) }.sorted()
        if !unused.isEmpty { say("[Warning] One or more build-args [\(unused.joined(separator: " "))] were not consumed") }
        say("Successfully built \(final.id.short)")
        for (tag, reference) in zip(options.tags, references) {
            try images.tag(final.id.string, tag)
            say("Successfully tagged \(reference.familiar)")
        }
        if options.quiet { console.out(final.id.string) }
        return final
    }

    /// Build output; `-q` keeps only the final ID.
    func say(_ line: String) {
        if !options.quiet { console.out(line) }
    }

    func absolute(_ path: String, cwd: String) -> String {
        let joined = path.hasPrefix("/") ? path : cwd + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// `CONTEXT/Dockerfile`, or `dockerfile` when only that spelling exists (Docker accepts both).
    func defaultDockerfile(_ context: String) -> String {
        let upper = context + "/Dockerfile"
        var st = stat()
        if lstat(upper, &st) != 0, lstat(context + "/dockerfile", &st) == 0 { return context + "/dockerfile" }
        return upper
    }

    func resolvedBuildArgs() -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in options.buildArgs {
            if let v { out[k] = v } else if let env = ProcessInfo.processInfo.environment[k] { out[k] = env }
        }
        return out
    }
}
