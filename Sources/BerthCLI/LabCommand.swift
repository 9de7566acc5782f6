import ArgumentParser
import BerthCore
import BerthLab
import Foundation

/// `berth lab`: the guided chapters. With no subcommand it opens the REPL (`lab open`).
struct LabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lab", abstract: "Open the container lab",
        // `open` is the default: a chapter can follow `lab` directly.
        usage: "berth lab [<chapter>] [--lang ko|en]\n       berth lab <subcommand>",
        subcommands: [
            LabOpenCommand.self, LabListCommand.self, LabStatusCommand.self, LabCheckCommand.self,
            LabRecordCommand.self, LabPlayCommand.self, LabReplayCommand.self, LabExportCommand.self, LabGradeCommand.self,
        ],
        defaultSubcommand: LabOpenCommand.self)
}

/// Options every `lab` subcommand shares.
struct LabArguments: ParsableArguments {
    @Option(help: "Directory holding the chapters (default $BERTH_LESSONS or the repo's Lessons/)") var lessons: String?
    @Option(help: "Language of the texts: ko or en") var lang: String?

    func language() throws -> Language? {
        guard let lang else { return nil }
        guard let l = Language(rawValue: lang.lowercased()) else { throw ValidationError("--lang takes ko or en") }
        return l
    }

    var lessonsDirectory: String { LabOptions.findLessons(lessons) }

    func library() throws -> LessonLibrary {
        let (library, broken) = try LabSession.loadChapters(from: lessonsDirectory)
        for bad in broken { Console.current.err("warning: chapter \(bad.folder) skipped: \(bad.message)") }
        return library
    }
}

struct LabOpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "open", abstract: "Open the lab REPL (the default)")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var lab: LabArguments
    @Argument(help: "Chapter to open: 02-containers, 2 or containers") var chapter: String?
    @Option(name: .customLong("pids-limit"),
            help: "pids.max of every container the lab's commands create (-1: unlimited)")
    var pidsLimit: Int64 = LabSession.defaultPidsLimit
    @OptionGroup var recording: LabRecordingOptions  // LabTranscriptCommands.swift

    func run() throws {
        // The recorder runs this same command line again on a PTY, where it opens the REPL.
        if recording.shouldRecord {
            let code = try recording.recordLab(chapter: chapter, lab: lab)
            if code != 0 { throw ExitCode(code) }
            return
        }
        let code = REPL.main(LabOptions(
            lessonsDirectory: lab.lessonsDirectory, chapter: chapter, language: try lab.language(), paths: global.paths,
            pidsLimit: pidsLimit))
        if code != 0 { throw ExitCode(code) }
    }
}

struct LabListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the chapters")
    @OptionGroup var lab: LabArguments

    func run() throws {
        let library = try lab.library()
        let language = try lab.language() ?? (try? ProgressStore.forCurrentUser().load().language) ?? .en
        for lesson in library.lessons {
            let steps = String(lesson.steps.count)
            Console.current.out(lesson.id.padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: max(0, 2 - steps.count)) + steps + " steps  " + lesson.text(lesson.title, language))
        }
    }
}

struct LabStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show progress per chapter")
    @OptionGroup var lab: LabArguments

    func run() throws {
        let library = try lab.library()
        let progress = try ProgressStore.forCurrentUser().load()
        let language = try lab.language() ?? progress.language ?? .en
        Console.current.out(LabSession.statusTable(library: library, progress: progress, language: language))
    }
}

struct LabCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check the current state against every step of a chapter (exit 0 when all hold)")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var lab: LabArguments
    @Flag(help: "Print JSON") var json = false
    @Argument(help: "Chapter: 02-containers, 2 or containers") var chapter: String

    func run() throws {
        let library = try lab.library()
        guard let lesson = library.lesson(chapter) else {
            throw BerthError(message: "no chapter \(chapter) (chapters: \(library.lessons.map(\.id).joined(separator: ", ")))", exitCode: 1)
        }
        let language = try lab.language() ?? .en
        let checker = Checker(paths: global.paths, labDirectory: ProgressStore.forCurrentUser().labDirectory)
        let result = ChapterVerification.run(lesson, checker: checker, language: language, context: CheckContext(chapter: lesson.id))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            Console.current.out(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            Console.current.out(result.table)
        }
        if !result.passed { throw ExitCode(1) }
    }
}
