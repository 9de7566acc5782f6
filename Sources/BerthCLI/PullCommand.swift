import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// `docker pull NAME[:TAG|@DIGEST]`: Registry HTTP API v2 (see `ImageStore.pull`).
/// The seed images (`busybox`, `debian:12`) come from the host when Docker Hub cannot be
/// reached (no mirror configured, or the mirror failed), and say so.
struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Download an image from a registry")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Suppress verbose output") var quiet = false
    @Flag(name: [.short, .customLong("all-tags")], help: "Download all tagged images in the repository") var allTags = false
    @Option(name: .long, help: "Set platform if server is multi-platform capable") var platform: String?
    @Argument(help: "NAME[:TAG|@DIGEST]") var image: String

    func run() throws {
        // `docker pull` exits 1 for every failure, reference errors included (only `run` says 125).
        do {
            try pull()
        } catch let error as BerthError {
            throw BerthError(message: error.message, exitCode: error.exitCode == 0 ? 0 : 1, detail: error.detail)
        }
    }

    private func pull() throws {
        if allTags { throw BerthError(message: "berth pull: --all-tags is not supported", exitCode: 1) }
        let reference = try ImageReference(parsing: image)
        let console = Console.current
        let options = try PullOptions.fromEnvironment(platform: platform.map { try Platform(parsing: $0) })
        let progress = quiet ? PullProgress.silent : PullProgress(fd: console.outFD, terminal: console.stdoutIsTerminal)
        let lastPart = image.split(separator: "/").last ?? ""
        if !lastPart.contains(":") && !image.contains("@") { progress.line("Using default tag: latest") }
        let store = ImageStore(paths: global.paths)

        if let seed = SeedImage(reference: image) {
            var pullError: BerthError?
            if !options.registry.registryMirrors.isEmpty || reference.domain != ImageReference.defaultDomain {
                do {
                    _ = try store.pull(reference, options: options, progress: progress)
                    console.out(reference.canonical)
                    return
                } catch {
                    pullError = error
                }
            }
            let had = (try? store.image(seed.reference)) != nil
            if !had {
                progress.line("\(reference.tag ?? ImageReference.defaultTag): Pulling from \(reference.path)")
                let why = pullError.map { $0.message } ?? "no registry mirror is configured for Docker Hub"
                progress.line("Using berth's seed image, built on this host (\(why))")
            }
            _ = try store.ensureSeed(seed)
            progress.line(had ? "Status: Image is up to date for \(reference.familiar)" : "Status: Downloaded newer image for \(reference.familiar)")
            console.out(reference.canonical)
            return
        }
        _ = try store.pull(reference, options: options, progress: progress)
        console.out(reference.canonical)
    }
}
