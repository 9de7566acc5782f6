import ArgumentParser
import BerthCore
import BerthRuntime
import Foundation

/// `berth _seccomp-profile`: Berth's default seccomp profile as Docker-format JSON, a starting
/// point for `--security-opt seccomp=FILE`.
struct SeccompProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_seccomp-profile", abstract: "Print the default seccomp profile (Docker's JSON format)",
        shouldDisplay: false)

    func run() throws {
        Console.current.out(String(decoding: try SeccompProfile.default.json(), as: UTF8.self))
    }
}
