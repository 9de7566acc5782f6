import ArgumentParser
import BerthCore

public struct BerthCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "berth", abstract: "A container lab for the terminal.")
    public init() {}
}
