import ArgumentParser
import BerthBuild
import BerthCore
import BerthImages

/// `docker build [OPTIONS] PATH`: Docker's classic builder (see Documentation/Build.md).
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Build an image from a Dockerfile")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Name and optionally a tag in the 'name:tag' format") var tag: [String] = []
    @Option(name: .shortAndLong, help: "Name of the Dockerfile (Default is 'PATH/Dockerfile')") var file: String?
    @Option(name: .customLong("build-arg"), help: "Set build-time variables") var buildArg: [String] = []
    @Flag(name: .customLong("no-cache"), help: "Do not use cache when building the image") var noCache = false
    @Flag(name: .shortAndLong, help: "Suppress the build output and print image ID on success") var quiet = false
    // Accepted for Docker's command lines: berth always removes its step containers.
    @Flag(name: .customLong("rm"), help: "Remove intermediate containers after a successful build (always)") var rm = false
    @Flag(name: .customLong("force-rm"), help: "Always remove intermediate containers (always)") var forceRm = false
    @Argument(help: "PATH") var context: [String] = []

    func validate() throws {
        if context.count != 1 { throw ValidationError("\"docker build\" requires exactly 1 argument.") }
    }

    func run() throws {
        var options = BuildOptions(context: context[0])
        options.dockerfile = file
        options.tags = tag
        options.noCache = noCache
        options.quiet = quiet
        options.buildArgs = buildArg.map { a in
            let kv = a.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(kv[0]), kv.count > 1 ? String(kv[1]) : nil)
        }
        _ = try Builder(paths: global.paths, console: Console.current, options: options).build()
    }
}
