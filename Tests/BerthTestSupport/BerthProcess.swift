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
        let (pid, inFD, outFD, errFD) = try spawnProcess(executable, args, environment: environment)
        var pending = Array((input ?? "").utf8)
        var inOpen = true
        if pending.isEmpty {
            close(inFD)
            inOpen = false
        }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var open: [Int32: Bool] = [outFD: true, errFD: true]
        var buf = [UInt8](repeating: 0, count: 65536)
        while open.values.contains(true) {
            var fds = open.filter(\.value).keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inOpen { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue } else { break } }
            for f in fds where f.revents != 0 {
                if f.fd == inFD && inOpen {
                    let n = pending.withUnsafeBytes { write(inFD, $0.baseAddress, min($0.count, 65536)) }
                    if n > 0 { pending.removeFirst(n) }
                    if n < 0 || pending.isEmpty {
                        close(inFD)
                        inOpen = false
                    }
                    continue
                }
                let n = read(f.fd, &buf, buf.count)
                if n > 0 {
                    if f.fd == outFD { out += buf[0..<n] } else { err += buf[0..<n] }
                } else if n == 0 || errno != EINTR {
                    open[f.fd] = false
                }
            }
        }
        if inOpen { close(inFD) }
        close(outFD)
        close(errFD)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Starts a program with three fresh pipes; returns the pid and our ends.
    public static func spawnProcess(_ executable: String, _ args: [String], environment: [String: String]) throws
        -> (pid_t, Int32, Int32, Int32)
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
        let argv = [executable] + args
        let env = environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let rc = withCStringArray(argv) { a in withCStringArray(env) { posix_spawn(&pid, executable, &actions, nil, a, $0) } }
        close(i[0])
        close(o[1])
        close(e[1])
        guard rc == 0 else {
            close(i[1]); close(o[0]); close(e[0])
            throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO)
        }
        return (pid, i[1], o[0], e[0])
    }
}

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
