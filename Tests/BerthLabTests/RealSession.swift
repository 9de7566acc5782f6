import BerthCore
import BerthTestSupport
import Foundation

@testable import BerthLab

/// Runs lines with no terminal (`runQuietly` both ways), `docker` being the built `berth`.
final class QuietRunner: LabLineRunner {
    let inner: PTYLineRunner
    var lines: [String] = []

    init(paths: StatePaths) throws {
        var env = ProcessInfo.processInfo.environment
        env["BERTH_ROOT"] = paths.root
        env["BERTH_RUN"] = paths.run
        inner = try PTYLineRunner(berth: BerthProcess.binary, environment: env)
    }

    func run(_ line: String, environment: [String: String]) -> CommandOutcome {
        lines.append(line)
        return inner.runQuietly(line, environment: environment)
    }
    func runQuietly(_ line: String, environment: [String: String]) -> CommandOutcome { run(line, environment: environment) }
}

/// A lab session on a real state root (`BerthRunner.withStateRoot`), its progress in `dir`.
func realSession(_ berth: BerthRunner, progressIn dir: String, printed: @escaping (String) -> Void = { _ in })
    throws -> (LabSession, QuietRunner)
{
    let (library, broken) = try LabSession.loadChapters(from: lessonsRoot)
    precondition(broken.isEmpty, "\(broken)")
    let runner = try QuietRunner(paths: berth.paths)
    let session = LabSession(
        library: library, paths: berth.paths, store: ProgressStore(path: dir + "/berth/progress.json"),
        progress: Progress(), language: .en, runner: runner, print: printed)
    return (session, runner)
}
