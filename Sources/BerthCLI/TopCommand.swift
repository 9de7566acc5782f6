import ArgumentParser
import BerthCore

struct TopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Display the running processes of a container")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Container") var container: String
    @Argument(parsing: .captureForPassthrough, help: "ps options") var psArgs: [String] = []

    func run() throws {
        let list = try global.runtime().top(container, psArgs: psArgs)
        // docker/cli's top: tabwriter with minwidth 20, padding 3.
        var table = TabWriter()
        table.minWidth = 20
        table.add(list.titles.joined(separator: "\t"))
        for p in list.processes { table.add(p.joined(separator: "\t")) }
        Console.current.out(table.render())
    }
}
