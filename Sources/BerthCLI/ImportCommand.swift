import ArgumentParser
import BerthCore
import BerthImages

/// `docker import file|- [REPOSITORY[:TAG]]`: a filesystem tar as a one-layer image.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import the contents from a tarball to create a filesystem image")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Set commit message for imported image") var message: String?
    @Argument(help: "file|- [REPOSITORY[:TAG]]") var arguments: [String] = []

    func validate() throws {
        if arguments.isEmpty || arguments.count > 2 {
            throw ValidationError("\"docker import\" requires at least 1 and at most 2 arguments.")
        }
    }

    func run() throws {
        let store = ImageStore(paths: global.paths)
        let source = arguments[0]
        let (image, skipped) = try InputFile.withSeekable(source, paths: global.paths) { fd in
            try store.importImage(file: fd, reference: arguments.count > 1 ? arguments[1] : nil, source: source == "-" ? "-" : source, message: message)
        }
        for name in skipped { Console.current.err("WARNING: skipped device node \(name): creating devices needs root") }
        Console.current.out(image.id.string)
    }
}
