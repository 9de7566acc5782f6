import ArgumentParser
import BerthCore

struct RmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove one or more containers")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Force the removal of a running container (uses SIGKILL)") var force = false
    @Flag(name: .shortAndLong, help: "Remove anonymous volumes associated with the container") var volumes = false
    @Argument(help: "Containers") var containers: [String] = []

    func validate() throws {
        if containers.isEmpty { throw ValidationError("\"docker rm\" requires at least 1 argument.") }
    }

    func run() throws {
        let runtime = global.runtime()
        try forEachContainer(containers) { ref in
            do {
                try runtime.remove(ref, force: force, volumes: volumes)
            } catch let error as BerthError where force && error == .noSuchContainer(ref) {
                Console.current.err(error.message)  // docker/cli rm: not an error with --force
                return
            }
            Console.current.out(ref)
        }
    }
}
