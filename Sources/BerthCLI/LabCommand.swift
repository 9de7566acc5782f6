import ArgumentParser
import BerthCore
import Foundation

/// `berth lab`: the guided chapters. Until the REPL lands this lists the chapters found
/// under `Lessons/`.
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lab", abstract: "Open the container lab")

    @Option(help: "Directory holding the chapters") var lessons: String?

    func run() throws {
        let dir = lessons ?? ProcessInfo.processInfo.environment["BERTH_LESSONS"] ?? "Lessons"
        let chapters = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
            $0.first?.isNumber == true
        }.sorted()
        let console = Console.current
        console.out("Berth lab — chapters:")
        if chapters.isEmpty { console.out("  (no chapters found in \(dir) yet)") }
        for c in chapters { console.out("  " + c) }
    }
}
