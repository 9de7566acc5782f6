import BerthCore
import CBerth
import Foundation

/// `docker exec` flags in typed form.
public struct ExecOptions: Sendable {
    public var interactive = false
    public var tty = false
    public var detach = false
    public var env: [String] = []
    public var workdir: String?
    public var user: String?
    public init() {}
}

extension Runtime {
    /// `docker exec`: a new process inside the running container's namespaces, started by
    /// the C helper (no monitor). Returns the command's exit code.
    public func exec(_ ref: String, _ argv: [String], options: ExecOptions, console: Console = Console.current) throws
        -> Int32
    {
        let record = try runningContainer(ref)
        let stdio: (Int32, Int32, Int32) =
            options.detach ? (-1, -1, -1) : (options.interactive ? console.inFD : -1, console.outFD, console.errFD)
        let size = options.tty ? TerminalRelay.size(of: console.outFD) : nil
        let started = try spawnExec(record, argv, options: options, stdio: stdio, winsize: size)
        if options.detach {
            return waitHelper(started.helper)
        }
        if let master = started.master {
            defer { close(master) }
            let relay = TerminalRelay(console: console, tty: true, forwardStdin: options.interactive)
            if relay.run(.pty(master)) == .detached { return 0 }
        }
        return waitHelper(started.helper)
    }

    /// Runs a command in the container and returns its status and stdout; for the lab's checks.
    public func execCapture(_ ref: String, _ argv: [String]) throws -> (status: Int32, stdout: String) {
        let record = try runningContainer(ref)
        let out = try pipePair()
        let started: (helper: pid_t, master: Int32?)
        do {
            started = try spawnExec(record, argv, options: ExecOptions(), stdio: (-1, out.write, -1), winsize: nil)
        } catch {
            close(out.read)
            close(out.write)
            throw error
        }
        close(out.write)
        let data = readToEnd(out.read)
        close(out.read)
        return (waitHelper(started.helper), String(decoding: data, as: UTF8.self))
    }

    func runningContainer(_ ref: String) throws -> ContainerRecord {
        let record = try container(ref)
        guard record.state.status == .running else {
            throw BerthError.daemon("container \(record.id.rawValue) is not running", exitCode: 1)
        }
        return record
    }

    private func waitHelper(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return code
    }

    /// Starts the helper and waits until the command is exec'd (or failed, with Docker's words).
    private func spawnExec(
        _ record: ContainerRecord, _ argv: [String], options: ExecOptions, stdio: (Int32, Int32, Int32),
        winsize: (UInt16, UInt16)?
    ) throws -> (helper: pid_t, master: Int32?) {
        guard let command = argv.first else {
            throw BerthError(message: "\"docker exec\" requires at least 2 arguments.", exitCode: 1)
        }
        let identity = try UserResolver(images: images, containerID: record.id.rawValue)
            .resolve(options.user ?? record.config.user)
        let env = identity.environment(
            mergedEnv(image: record.config.env, user: options.env, hostname: record.config.hostname, tty: options.tty))
        let cwd = options.workdir ?? (record.config.workingDir.isEmpty ? "/" : record.config.workingDir)
        let err = try pipePair()
        var console: [Int32] = [-1, -1]
        if options.tty {
            try sys("socketpair") { socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &console) }
        }
        defer {
            if console[0] >= 0 { close(console[0]) }
            close(err.read)
        }
        let groups = identity.groups.map { gid_t($0) }
        let security = try ExecSecurity(host: try store.hostConfig(record.id), containerID: record.id)
        defer { security.close() }
        let helper: pid_t = withCStrings(argv) { cargv in
            withCStrings(env) { cenv in
                withCStrings(executableCandidates(command, env: env)) { cpaths in
                    groups.withUnsafeBufferPointer { g in
                        cwd.withCString { ccwd in
                            var spec = berth_exec_spec()
                            spec.pid = record.state.pid
                            spec.cwd = ccwd
                            spec.uid = identity.uid
                            spec.gid = identity.gid
                            spec.groups = g.baseAddress
                            spec.n_groups = g.count
                            spec.tty = options.tty ? 1 : 0
                            spec.rows = winsize?.0 ?? 0
                            spec.cols = winsize?.1 ?? 0
                            spec.console_fd = console[1]
                            spec.stdin_fd = stdio.0
                            spec.stdout_fd = stdio.1
                            spec.stderr_fd = stdio.2
                            spec.err_fd = err.write
                            spec.detach = options.detach ? 1 : 0
                            return cargv.withUnsafeBufferPointer { a in
                                cenv.withUnsafeBufferPointer { e in
                                    cpaths.withUnsafeBufferPointer { p in
                                        spec.argv = UnsafePointer(a.baseAddress)
                                        spec.envp = UnsafePointer(e.baseAddress)
                                        spec.exec_paths = UnsafePointer(p.baseAddress)
                                        return security.apply(to: &spec) { berth_exec_spawn(&$0) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        let spawnErrno = errno
        close(err.write)
        if console[1] >= 0 {
            close(console[1])
            console[1] = -1
        }
        guard helper > 0 else {
            throw BerthError.internalError("exec failed: \(String(cString: strerror(spawnErrno)))")
        }
        let master = options.tty ? berth_recv_fd(console[0]) : -1
        var raw = [Int32](repeating: 0, count: 2)
        if readFully(err.read, &raw, count: 8) == 8 {
            if master >= 0 { close(master) }
            _ = waitHelper(helper)
            let failure = ChildError(step: raw[0], errno: raw[1])
            if failure.step == Int32(BERTH_STEP_EXEC.rawValue) {
                // Docker's exec wording differs from run's: no "failed to create task" prefix.
                let why = failure.errno == EACCES ? "permission denied" : "executable file not found in $PATH"
                throw BerthError(
                    message: "OCI runtime exec failed: exec failed: unable to start container process: exec: \"\(command)\": \(why): unknown",
                    exitCode: failure.errno == EACCES ? 126 : 127)
            }
            throw failure.berthError(command: command)
        }
        return (helper, master >= 0 ? master : nil)
    }
}
