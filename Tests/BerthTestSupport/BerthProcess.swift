import BerthCore
import CBerth
import Foundation

/// The built `berth` binary, run as a user would, against a state root of the test's own.
public struct BerthProcess: Sendable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        public var trimmed: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    public let paths: StatePaths

    /// `berth` beside the test bundle (`swift build` puts both in the same bin dir).
    public static var binary: String {
        if let p = ProcessInfo.processInfo.environment["BERTH_BIN"] { return p }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        // The runner may live inside `X.xctest/` or beside it.
        while !dir.isEmpty && dir != "/" {
            let candidate = dir + "/berth"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return ".build/debug/berth"
    }

    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["BERTH_ROOT"] = paths.root
        env["BERTH_RUN"] = paths.run
        return env
    }

    /// Runs `berth ARGS...` to completion, with stdin from `input` (or /dev/null).
    @discardableResult
    public func run(_ args: String..., input: String? = nil) throws -> Result {
        try run(args, input: input)
    }

    /// Foundation's `Process` can miss a child's exit when tests start processes from many
    /// threads at once, so this is plain posix_spawn, poll and waitpid.
    @discardableResult
    public func run(_ args: [String], input: String? = nil) throws -> Result {
        try Self.runProcess(Self.binary, args, environment: environment, input: input)
    }

    /// Runs any program to completion with the given stdin; stdout and stderr captured.
    public static func runProcess(_ executable: String, _ args: [String], environment: [String: String],
                                  input: String? = nil) throws -> Result {
        let r = try Subprocess.run(
            executable, args, input: input.map { Array($0.utf8) },
            environment: environment.map { "\($0.key)=\($0.value)" })
        return Result(status: r.status, stdout: r.output, stderr: r.errorOutput)
    }
}

extension BerthProcess {
    /// Starts a program with three fresh pipes and returns at once (for tests that must act
    /// while it runs, such as killing a pull midway); the caller reads, closes and reaps.
    public static func spawnProcess(_ executable: String, _ args: [String], environment: [String: String]) throws
        -> (pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32)
    {
        var i: [Int32] = [0, 0], o: [Int32] = [0, 0], e: [Int32] = [0, 0]
        guard berth_pipe_cloexec(&i) == 0, berth_pipe_cloexec(&o) == 0, berth_pipe_cloexec(&e) == 0 else {
            throw POSIXError(.EMFILE)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, i[0], 0)
        posix_spawn_file_actions_adddup2(&actions, o[1], 1)
        posix_spawn_file_actions_adddup2(&actions, e[1], 2)
        let env = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = withCStringArray([executable] + args) { a in
            withCStringArray(env) { posix_spawn(&pid, executable, &actions, nil, a, $0) }
        }
        close(i[0])
        close(o[1])
        close(e[1])
        guard rc == 0 else {
            [i[1], o[0], e[0]].forEach { close($0) }
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO)
        }
        return (pid, i[1], o[0], e[0])
    }
}

/// Calls `body` with a NULL-terminated `char *[]` that lives for the call.
func withCStringArray<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    ptrs.append(nil)
    defer { ptrs.forEach { free($0) } }
    return body(ptrs)
}

/// Runs a host shell command and returns its stdout (tests only).
public func shell(_ command: String) throws -> String {
    try BerthProcess.runProcess("/bin/sh", ["-c", command], environment: ProcessInfo.processInfo.environment).stdout
}

/// A `berth` started in the background, for tests that signal or kill it while it runs.
public final class RunningBerth {
    public let pid: pid_t
    public let stdin: Int32
    let stdout: Int32
    let stderr: Int32
    public private(set) var output = ""
    private var reaped: Int32?

    init(_ p: (pid: pid_t, stdin: Int32, stdout: Int32, stderr: Int32)) {
        (pid, stdin, stdout, stderr) = p
    }

    deinit {
        if reaped == nil {
            kill(pid, SIGKILL)
            _ = wait()
        }
        [stdin, stdout, stderr].forEach { close($0) }
    }

    /// Reads stdout until it contains `text` or `timeout` seconds pass.
    public func waitForOutput(_ text: String, timeout: Double = 20) -> Bool {
        waitUntil(timeout, text) {
            var buf = [UInt8](repeating: 0, count: 4096)
            var pfd = pollfd(fd: stdout, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 100) > 0 {
                let n = read(stdout, &buf, buf.count)
                if n > 0 { output += String(decoding: buf[0..<n], as: UTF8.self) }
            }
            return output.contains(text)
        }
    }

    /// Reaps it; returns its exit status, or 128 + the signal that killed it (as a shell says).
    /// Still running after `timeout` seconds, it is killed (SIGKILL: 137), so no test hangs.
    @discardableResult
    public func wait(timeout: Double = 60) -> Int32 {
        if let reaped { return reaped }
        var status: Int32 = 0
        if !waitUntil(timeout, "berth exits", { waitpid(pid, &status, WNOHANG) == pid }) {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        reaped = code
        return code
    }
}

extension BerthProcess {
    /// Starts `berth ARGS...` with pipes for its streams and returns at once.
    public func spawn(_ args: String...) throws -> RunningBerth {
        RunningBerth(try Self.spawnProcess(Self.binary, args, environment: environment))
    }
}
