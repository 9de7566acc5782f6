import ArgumentParser
import BerthCore

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a new container", helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ContainerOptions
    @Argument(help: "Image") var image: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments") var command: [String] = []

    func run() throws {
        let record = try global.runtime().create(options.spec(image: image, command: command))
        Console.current.out(record.id.rawValue)
    }
}
