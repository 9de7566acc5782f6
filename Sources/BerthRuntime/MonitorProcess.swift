import BerthCore
import CBerth
import Foundation

/// Spawning and waiting for `berth-monitor` (Documentation/Monitor.md).
enum MonitorProcess {
    /// A monitor whose child exists and waits on the sync pipe.
    struct Spawned {
        let monitorPid: Int32
        let childPid: Int32
        let syncWrite: Int32
        let errRead: Int32

        /// Abandons the start: the child reads EOF on the sync pipe and exits.
        func abort() {
            close(syncWrite)
            close(errRead)
        }

        /// Lets init run, then reads its error pipe: nil when execve succeeded (the pipe is
        /// CLOEXEC, so EOF with no bytes means the command is running).
        func release() -> ChildError? {
            var go: UInt8 = 1
            _ = write(syncWrite, &go, 1)
            close(syncWrite)
            defer { close(errRead) }
            var raw = [Int32](repeating: 0, count: 2)
            let n = readFully(errRead, &raw, count: 8)
            return n == 8 ? ChildError(step: raw[0], errno: raw[1]) : nil
        }
    }

    /// The monitor binary: `$BERTH_MONITOR`, else `berth-monitor` beside the running binary.
    static func binaryPath() throws -> String {
        if let p = ProcessInfo.processInfo.environment["BERTH_MONITOR"] { return p }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let p = (exe as NSString).deletingLastPathComponent + "/berth-monitor"
        guard FileManager.default.isExecutableFile(atPath: p) else {
            throw BerthError.internalError("berth-monitor not found next to \(exe); run `make build`")
        }
        return p
    }

    /// The berth binary itself, for the monitor's cleanup command.
    static func berthPath() -> String {
        if let p = ProcessInfo.processInfo.environment["BERTH_BIN"] { return p }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static func cleanupCommand(id: String, paths: StatePaths) -> [String] {
        [berthPath(), "_cleanup", "--root", paths.root, "--run-dir", paths.run, id]
    }

    /// Spawns the monitor in a session of its own with fds 3, 4, 5 as the contract says, and
    /// waits for it to report the child's PID.
    static func spawn(planPath: String, paths: StatePaths, heldFDs: [Int32] = []) throws -> Spawned {
        let binary = try binaryPath()
        let sync = try pipePair()
        let err = try pipePair()
        let status = try pipePair()

        // The dup2s below run in order in the child, so a source must never be a target
        // number of an earlier one: move every source above the targets first.
        let sources = try ([sync.read, err.write, status.write] + heldFDs).map { fd in
            try sys("dup") { fcntl(fd, F_DUPFD_CLOEXEC, 64) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        // 3 sync, 4 error, 5 status; published ports stay bound in the monitor from fd 6 on.
        for (i, fd) in sources.enumerated() { posix_spawn_file_actions_adddup2(&actions, fd, 3 + Int32(i)) }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attr, &noSignals)
        posix_spawnattr_setsigdefault(&attr, &allSignals)
        let POSIX_SPAWN_SETSID: Int16 = 0x80
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | POSIX_SPAWN_SETSID)

        let env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "BERTH_ROOT=\(paths.root)", "BERTH_RUN=\(paths.run)"]
        var pid: pid_t = 0
        let rc = withCStrings([binary, planPath] + (heldFDs.isEmpty ? [] : [String(heldFDs.count)])) { argv in
            withCStrings(env) { envp in posix_spawn(&pid, binary, &actions, &attr, argv, envp) }
        }
        // Our copies of the monitor's ends must go now, or the status pipe never reaches EOF.
        sources.forEach { close($0) }
        close(sync.read)
        close(err.write)
        close(status.write)
        guard rc == 0 else {
            close(sync.write)
            close(err.read)
            close(status.read)
            throw BerthError.internalError("cannot start berth-monitor: \(String(cString: strerror(rc)))")
        }
        let report = readToEnd(status.read)
        close(status.read)
        let text = String(decoding: report, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let child = Int32(text), child > 0 else {
            close(sync.write)
            close(err.read)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
            let why = text.hasPrefix("error ") ? String(text.dropFirst(6)) : "monitor exited without a PID"
            throw BerthError.internalError("failed to start container: \(why)")
        }
        // Nobody waits for the monitor: it outlives us. Reaping it here is not needed because
        // the CLI exits soon; long-lived callers (the lab) reap through `reapMonitors`.
        return Spawned(monitorPid: pid, childPid: child, syncWrite: sync.write, errRead: err.read)
    }

    /// Blocks until `pid` has exited (pidfd poll), or `timeout` seconds pass. Returns true
    /// when it exited. `startTime` 0 skips the identity check.
    @discardableResult
    static func waitForExit(pid: Int32, startTime: UInt64, timeout: Double) -> Bool {
        guard pid > 0 else { return true }
        if startTime != 0 && !ProcessIdentity.isAlive(pid, startTime: startTime) { return true }
        let fd = berth_pidfd_open(pid)
        if fd < 0 { return true }  // ESRCH: already gone
        defer { close(fd) }
        // Our own child (the lab spawns monitors) must be reaped, or it stays a zombie.
        var st: Int32 = 0
        if waitpid(pid, &st, WNOHANG) == pid { return true }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let ms = deadline.timeIntervalSinceNow * 1000
            let left: Int32 = ms > Double(Int32.max) ? -1 : Int32(max(0, ms))
            let r = poll(&p, 1, left)
            if r > 0 {
                _ = waitpid(pid, &st, WNOHANG)
                return true
            }
            if r == 0 || (r < 0 && errno != EINTR) { return false }
        }
    }
}

/// The 8 bytes the C child writes before `_exit(127)`.
struct ChildError {
    let step: Int32
    let errno: Int32

    func berthError(command: String) -> BerthError {
        if step == Int32(BERTH_STEP_EXEC.rawValue) {
            if errno == EACCES || errno == EPERM { return .permissionDenied(command) }
            return .executableNotFound(command)
        }
        return .internalError(
            "failed to create task for container: OCI runtime create failed: \(stepName): \(String(cString: strerror(errno))): unknown")
    }

    var stepName: String {
        String(cString: berth_step_name(step))
    }
}

func pipePair() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    try sys("pipe2") { berth_pipe_cloexec(&fds) }
    return (fds[0], fds[1])
}

func readToEnd(_ fd: Int32) -> [UInt8] {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return out }
        out += chunk[0..<n]
    }
}

func readFully<T>(_ fd: Int32, _ buffer: inout [T], count: Int) -> Int {
    var got = 0
    buffer.withUnsafeMutableBytes { raw in
        while got < count {
            let n = read(fd, raw.baseAddress! + got, count - got)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
    }
    return got
}

