import ArgumentParser
import BerthCore
import BerthImages

/// `berth seed`: builds the offline seed images (busybox from the host's busybox-static).
struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Build the offline seed images")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let store = ImageStore(paths: global.paths)
        for seed in SeedImage.allCases {
            let image = try store.ensureSeed(seed)
            Console.current.out("\(seed.reference): \(image.id)")
        }
    }
}
