#if canImport(Glibc)
import Glibc
#endif
import BerthCore
@preconcurrency import CReadline
import Foundation

/// What `berth lab` was asked for.
package struct LabOptions: Sendable {
    package var lessonsDirectory: String
    package var chapter: String?
    package var language: Language?
    package var paths: StatePaths
    package var pidsLimit: Int64

    package init(lessonsDirectory: String, chapter: String? = nil, language: Language? = nil, paths: StatePaths,
                 pidsLimit: Int64 = LabSession.defaultPidsLimit) {
        self.lessonsDirectory = lessonsDirectory
        self.chapter = chapter
        self.language = language
        self.paths = paths
        self.pidsLimit = pidsLimit
    }

    /// `--lessons`, else `$BERTH_LESSONS`, else a `Lessons/` folder above the executable (a
    /// checkout's `.build/debug/berth`), else `./Lessons`, else `/usr/share/berth/lessons`.
    package static func findLessons(_ given: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let given { return given }
        if let env = environment["BERTH_LESSONS"], !env.isEmpty { return env }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var dir = (exe as NSString).deletingLastPathComponent
        while dir.count > 1 {
            if FileManager.default.fileExists(atPath: dir + "/Lessons/common") { return dir + "/Lessons" }
            dir = (dir as NSString).deletingLastPathComponent
        }
        if FileManager.default.fileExists(atPath: "Lessons") { return "Lessons" }
        return "/usr/share/berth/lessons"
    }
}

// Readline calls back through plain C function pointers, which cannot capture context; these
// globals carry it. The REPL runs on one thread and a signal handler touches only the fd.
nonisolated(unsafe) private var finishedLine: String?? = nil
nonisolated(unsafe) private var completionProvider: ((String, String) -> [String]?)?
nonisolated(unsafe) private var pendingMatches: [String] = []
nonisolated(unsafe) private var interruptFD: Int32 = -1

/// The lab's read–run–check loop on GNU readline (history, Ctrl-R, Tab completion).
package final class REPL {
    let session: LabSession
    let runner: LabLineRunner
    let paths: StatePaths
    let historyPath: String
    let inFD: Int32 = 0

    package init(session: LabSession, runner: LabLineRunner, paths: StatePaths, historyPath: String) {
        self.session = session
        self.runner = runner
        self.paths = paths
        self.historyPath = historyPath
    }

    /// `berth lab [CHAPTER]`: loads the chapters and the learner's progress, opens the chapter
    /// (or resumes the last one), and reads lines until Ctrl-D or `:quit`. Returns the exit code.
    package static func main(_ options: LabOptions) -> Int32 {
        let console = Console.current
        let library: LessonLibrary
        let broken: [(folder: String, message: String)]
        do { (library, broken) = try LabSession.loadChapters(from: options.lessonsDirectory) } catch {
            console.err((error as? BerthError)?.message ?? "\(error)")
            return 125
        }
        let store = ProgressStore.forCurrentUser()
        let progress: Progress
        do { progress = try store.load() } catch {
            console.err((error as? BerthError)?.message ?? "\(error)")
            return 1
        }
        let env = ProcessInfo.processInfo.environment
        let language = options.language ?? progress.language ?? (env["LANG"]?.hasPrefix("ko") == true ? .ko : .en)
        var childEnv = env
        childEnv["BERTH_ROOT"] = options.paths.root
        childEnv["BERTH_RUN"] = options.paths.run
        let runner: PTYLineRunner
        do { runner = try PTYLineRunner(environment: childEnv) } catch {
            console.err((error as? BerthError)?.message ?? "\(error)")
            return 125
        }
        let session = LabSession(
            library: library, brokenChapters: broken, paths: options.paths, store: store, progress: progress,
            language: language, runner: runner, markers: MarkerSink.fromEnvironment(env),
            print: { console.out($0) })
        session.pidsLimit = options.pidsLimit
        let history = (store.path as NSString).deletingLastPathComponent + "/history"
        let repl = REPL(session: session, runner: runner, paths: options.paths, historyPath: history)
        return repl.run(opening: options.chapter)
    }

    package func run(opening chapter: String?) -> Int32 {
        session.print(session.message(.welcome))
        for bad in session.brokenChapters {
            session.print("⚠ " + session.message(.chapterBroken(bad.folder)) + "\n  " + bad.message)
        }
        if let chapter {
            session.start(chapter)
        } else if let last = session.progress.currentChapter, session.library.lesson(last) != nil {
            session.start(last)
        } else {
            session.print(session.lessonsTable())
            session.print(session.message(.noChapter))
        }
        setUpReadline()
        defer { tearDownReadline() }
        while !session.wantsToQuit {
            guard let line = readLine(prompt: session.prompt) else {
                session.print("")
                break
            }
            handle(line)
        }
        session.print(session.message(.goodbye))
        return 0
    }

    /// One line from the learner.
    package func handle(_ typed: String) {
        let line = typed.trimmingCharacters(in: .whitespaces)
        guard !line.isEmpty else { return }
        addHistory(typed)
        if line.hasPrefix(":") { return session.runLabCommand(line) }
        if let quote = REPL.unbalancedQuote(line) { return session.print(session.message(.unbalancedQuotes(quote))) }
        // `cd` must change the lab's own directory, or the next line would not see it.
        if var target = REPL.cdTarget(line) {
            // `cd $LAB/tomcat`, `cd ~/x`: the shell expands what was typed, in the lab's environment.
            if target.contains("$") || target.hasPrefix("~") {
                let resolved = runner.runQuietly(line + " && pwd", environment: session.commandEnvironment)
                if resolved.status == 0, let last = resolved.output.split(separator: "\n").last { target = String(last) }
            }
            let failed = chdir(target) != 0
            if failed { session.print("cd: \(target): \(String(cString: strerror(errno)))") }
            session.workingDirectory = FileManager.default.currentDirectoryPath
            // A command like any other for the transcript: export shows it, replay follows it.
            session.markers?.command(line: line, exit: failed ? 1 : 0)
            return
        }
        session.run(line)
    }

    /// The directory of a line that is a lone `cd [DIR]` (HOME without DIR), nil for any other line.
    package static func cdTarget(_ line: String, home: String? = ProcessInfo.processInfo.environment["HOME"]) -> String? {
        let words = ShellWords.commands(line)
        guard words.count == 1, words[0].first == "cd", words[0].count <= 2 else { return nil }
        return words[0].count == 2 ? words[0][1] : (home ?? "/")
    }

    /// The quote character left open in `line`, if any (`'`, `"` or `` ` ``), as `sh` would
    /// see it: nothing is run for such a line.
    package static func unbalancedQuote(_ line: String) -> Character? {
        var open: Character?
        var escaped = false
        for c in line {
            if escaped { escaped = false; continue }
            switch open {
            case nil:
                if c == "\\" { escaped = true } else if c == "'" || c == "\"" || c == "`" { open = c }
            case "'":
                if c == "'" { open = nil }
            default:
                if c == "\\" { escaped = true } else if c == open { open = nil }
            }
        }
        return open
    }

    // MARK: - readline

    func setUpReadline() {
        rl_readline_name = UnsafePointer(strdup("berth"))
        // The REPL handles SIGINT itself (cancel the line); readline must not re-raise it.
        rl_catch_signals = 0
        using_history()
        stifle_history(1000)
        if !FileManager.default.fileExists(atPath: historyPath) {
            try? ensureDirectory((historyPath as NSString).deletingLastPathComponent, mode: 0o700)
            _ = FileManager.default.createFile(atPath: historyPath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        read_history(historyPath)

        let paths = self.paths
        let chapters = session.library.lessons.map(\.id)
        completionProvider = { before, word in
            Completion.current(paths: paths, chapters: chapters).candidates(before: before, word: word)
        }
        rl_attempted_completion_function = { text, start, _ in
            let line = rl_line_buffer.map { Array(String(cString: $0).utf8) } ?? []
            let before = String(decoding: line.prefix(Int(start)), as: UTF8.self)
            let word = text.map { String(cString: $0) } ?? ""
            guard let matches = completionProvider?(before, word) else {
                rl_attempted_completion_over = 0  // fall back to file names
                return nil
            }
            rl_attempted_completion_over = 1
            guard !matches.isEmpty else { return nil }
            pendingMatches = matches
            return rl_completion_matches(text) { _, state in
                if state == 0 { pendingMatches = pendingMatches.reversed() }
                guard let next = pendingMatches.popLast() else { return nil }
                return strdup(next)
            }
        }

        var fds: [Int32] = [-1, -1]
        if makePipe(&fds, nonBlocking: true) {
            interruptFD = fds[1]
            signalReadFD = fds[0]
        }
        installInterruptHandler()
    }

    var signalReadFD: Int32 = -1

    func installInterruptHandler() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 3
            _ = write(interruptFD, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: poll must wake up
        sigaction(SIGINT, &action, nil)
    }

    func tearDownReadline() {
        history_truncate_file(historyPath, 1000)
        signal(SIGINT, SIG_DFL)
    }

    func addHistory(_ line: String) {
        let last = history_length > 0 ? history_get(history_base + history_length - 1).map { String(cString: $0.pointee.line) } : nil
        guard last != line else { return }
        add_history(line)
        append_history(1, historyPath)
    }

    /// One line through readline's callback interface, so the loop can also watch for Ctrl-C
    /// (cancel the line, show a fresh prompt). nil at end of input (Ctrl-D on an empty line).
    func readLine(prompt: String) -> String? {
        finishedLine = nil
        rl_callback_handler_install(prompt) { line in
            finishedLine = .some(line.map { String(cString: $0) })
            free(line)
            rl_callback_handler_remove()
        }
        while finishedLine == nil {
            var fds = [pollfd(fd: inFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: signalReadFD, events: Int16(POLLIN), revents: 0)]
            let r = poll(&fds, 2, -1)
            if r < 0 {
                if errno == EINTR { continue }
                rl_callback_handler_remove()
                return nil
            }
            if fds[1].revents != 0 {
                var buf = [UInt8](repeating: 0, count: 16)
                while read(signalReadFD, &buf, buf.count) > 0 {}
                cancelLine()
            }
            if fds[0].revents & Int16(POLLIN | POLLHUP) != 0 {
                rl_callback_read_char()
            } else if fds[0].revents & Int16(POLLNVAL | POLLERR) != 0 {
                rl_callback_handler_remove()
                return nil
            }
        }
        return finishedLine ?? nil
    }

    /// Ctrl-C at the prompt: drop what was typed (and any Ctrl-R search), start a new line.
    func cancelLine() {
        rl_callback_sigcleanup()
        rl_free_line_state()
        rl_replace_line("", 1)
        var bytes = Array("^C\n".utf8)
        writeAll(1, &bytes)
        rl_on_new_line()
        rl_redisplay()
    }
}
