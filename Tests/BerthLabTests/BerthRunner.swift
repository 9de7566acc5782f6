#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import BerthTestSupport
import Foundation

/// Runs the real `berth` with posix_spawn and waitpid, output to files. Foundation's
/// `Process` (behind `BerthProcess.run`) was seen not to reap `berth run -d` inside the test
/// process, hanging the suite; this runner has no such dependency.
struct BerthRunner {
    let paths: StatePaths
    /// Added to the test process's environment (e.g. the session's `XDG_STATE_HOME`).
    var environment: [String: String] = [:]

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ args: [String]) throws -> Result {
        let dir = NSTemporaryDirectory() + "berth-lab-run-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, dir + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, dir + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let binary = BerthProcess.binary
        var env = ProcessInfo.processInfo.environment
        env["BERTH_ROOT"] = paths.root
        env["BERTH_RUN"] = paths.run
        env.merge(environment) { $1 }
        let argv = ([binary] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, binary, &actions, nil, argv, envp)
        guard rc == 0 else { throw BerthError(message: "spawn \(binary): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(
            status: code, stdout: (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? "")
    }

    /// A fresh state root for `body`; every container is force-removed afterwards.
    static func withStateRoot<T>(_ body: (BerthRunner) throws -> T) throws -> T {
        // Short: the attach socket under the run dir must fit in sun_path (108 bytes).
        let base = "/tmp/bl-" + UUID().uuidString.prefix(8).lowercased()
        let runner = BerthRunner(paths: StatePaths(root: base + "/root", run: base + "/run"))
        try ensureDirectory(runner.paths.root)
        try ensureDirectory(runner.paths.run)
        defer {
            // IDs from the state directory rather than `ps -a -q`, so cleanup does not
            // depend on the command under test.
            let ids = (try? FileManager.default.contentsOfDirectory(atPath: runner.paths.containers)) ?? []
            if !ids.isEmpty { _ = try? runner.run(["rm", "-f"] + ids) }
            try? FileManager.default.removeItem(atPath: base)
        }
        return try body(runner)
    }
}
