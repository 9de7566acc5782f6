#if canImport(Glibc)
import Glibc
#endif
import CBerth

/// Runs a host program to completion: posix_spawn, poll over its three pipes, waitpid.
/// Foundation's `Process` costs about 100 ms on first use and can miss a child's exit when
/// several threads start processes at once; every caller in berth comes through here.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        public var output: String { String(decoding: stdout, as: UTF8.self) }
        public var errorOutput: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// `environment` nil inherits ours. `input` is written to the program's stdin, which is
    /// then closed (nil: /dev/null). Returns the exit code, or 128 + signal.
    public static func run(
        _ executable: String, _ arguments: [String], input: [UInt8]? = nil, environment: [String]? = nil
    ) throws(SyscallError) -> Result {
        var i: [Int32] = [-1, -1], o: [Int32] = [-1, -1], e: [Int32] = [-1, -1]
        for p in [0, 1, 2] {
            let r = p == 0 ? berth_pipe_cloexec(&i) : p == 1 ? berth_pipe_cloexec(&o) : berth_pipe_cloexec(&e)
            if r != 0 { throw SyscallError(call: "pipe2", errno: .init(rawValue: errno)) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, i[0], 0)
        }
        posix_spawn_file_actions_adddup2(&actions, o[1], 1)
        posix_spawn_file_actions_adddup2(&actions, e[1], 2)
        // The child starts with no signal blocked or ignored, whatever the calling thread had
        // (test threads block nearly all; a tmux server started so would never see SIGHUP).
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let env = environment ?? currentEnvironment()
        var pid: pid_t = 0
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        close(i[0])
        close(o[1])
        close(e[1])
        guard rc == 0 else {
            [i[1], o[0], e[0]].forEach { close($0) }
            throw SyscallError(call: "posix_spawn \(executable)", errno: .init(rawValue: rc))
        }

        var pending = input ?? []
        var inOpen = input != nil
        if inOpen && pending.isEmpty {
            close(i[1])
            inOpen = false
        } else if !inOpen {
            close(i[1])
        }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var outOpen = true
        var errOpen = true
        var buf = [UInt8](repeating: 0, count: 65536)
        while outOpen || errOpen || inOpen {
            var fds: [pollfd] = []
            if outOpen { fds.append(pollfd(fd: o[0], events: Int16(POLLIN), revents: 0)) }
            if errOpen { fds.append(pollfd(fd: e[0], events: Int16(POLLIN), revents: 0)) }
            if inOpen { fds.append(pollfd(fd: i[1], events: Int16(POLLOUT), revents: 0)) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for f in fds where f.revents != 0 {
                if f.fd == i[1] {
                    let n = pending.withUnsafeBytes { write(i[1], $0.baseAddress, min($0.count, 65536)) }
                    if n > 0 { pending.removeFirst(n) }
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 || pending.isEmpty {
                        close(i[1])
                        inOpen = false
                    }
                    continue
                }
                let n = read(f.fd, &buf, buf.count)
                if n < 0 && errno == EINTR { continue }
                if n > 0 {
                    if f.fd == o[0] { out += buf[0..<n] } else { err += buf[0..<n] }
                } else if f.fd == o[0] {
                    outOpen = false
                } else {
                    errOpen = false
                }
            }
        }
        if inOpen { close(i[1]) }
        close(o[0])
        close(e[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, stdout: out, stderr: err)
    }

    static func currentEnvironment() -> [String] {
        var out: [String] = []
        var p = environ
        while let entry = p.pointee {
            out.append(String(cString: entry))
            p += 1
        }
        return out
    }
}
