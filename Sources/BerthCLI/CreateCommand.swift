import ArgumentParser
import BerthCore
import BerthRuntime

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a new container", helpNames: [.long])

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: ContainerOptions
    @Argument(help: "Image") var image: String
    @Argument(parsing: .captureForPassthrough, help: "Command and arguments") var command: [String] = []

    func run() throws {
        let spec: ContainerSpec
        do { spec = try options.spec(image: image, command: command) } catch let error as BerthError {
            throw error.reportedAsFlagError("create")
        }
        do {
            let record = try global.runtime().create(spec)
            Console.current.out(record.id.rawValue)
        } catch let error as BerthError {
            // docker create returns what the daemon (or the client's reference parser) refused
            // as a plain error, so it exits 1; only `docker run` turns it into 125.
            throw BerthError(message: error.message, exitCode: 1, detail: error.detail)
        }
    }
}
