import ArgumentParser
import BerthCore
import BerthImages

/// `berth seed`: builds the offline seed images (busybox from the host's busybox-static).
struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Build the offline seed images")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Seed images to build (busybox, debian:12); all when none is named") var names: [String] = []

    func run() throws {
        let store = ImageStore(paths: global.paths)
        let chosen = names.isEmpty ? SeedImage.allCases : try names.map { name in
            guard let seed = SeedImage(reference: name) else { throw BerthError.noSuchImage(name) }
            return seed
        }
        for seed in chosen {
            let image = try store.ensureSeed(seed)
            Console.current.out("\(seed.reference): \(image.id)")
        }
    }
}
