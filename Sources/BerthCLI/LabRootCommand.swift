import ArgumentParser

/// The root `berth lab …` is parsed from. The main root is named `docker` so Docker's commands
/// print Docker's usage lines; the lab is Berth's own, and its help and errors say `berth lab`.
struct LabRootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "berth", subcommands: [LabCommand.self])

    /// `lab …` and `help lab …` are the lab's; everything else is Docker's.
    static func owns(_ argv: [String]) -> Bool {
        let words = argv.first == "help" ? argv.dropFirst() : argv[...]
        return words.first == LabCommand.configuration.commandName
    }
}
