import ArgumentParser
import BerthCore

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Show the Berth version information")
    static let version = "0.1.0"

    func run() throws {
        Console.current.out("Berth version \(Self.version) (Docker-compatible CLI, daemonless)")
    }
}
