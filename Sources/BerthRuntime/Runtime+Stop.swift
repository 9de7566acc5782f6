import BerthCore
import CBerth
import Foundation

extension Runtime {
    /// `docker stop`: `signal` (SIGTERM unless `-s`), then SIGKILL after `timeout` seconds.
    /// Returns once the monitor has recorded the exit and cleaned up.
    public func stop(_ ref: String, timeout: Double = 10, signal: Int32 = SIGTERM) throws {
        let record = try container(ref)
        guard record.state.status == .running else { return }
        record.signalInit(signal)
        if !waitStopped(record, timeout: timeout) {
            record.signalInit(SIGKILL)
            _ = waitStopped(record, timeout: 30)
        }
    }

    /// `docker kill`: delivers a signal to init. Docker's errors for a stopped container.
    public func kill(_ ref: String, signal: Int32 = SIGKILL) throws {
        let record = try container(ref)
        guard record.state.status == .running else {
            throw BerthError.daemon(
                "cannot kill container: \(ref): container \(record.id.rawValue) is not running", exitCode: 1)
        }
        record.signalInit(signal)
        if signal == SIGKILL { _ = waitStopped(record, timeout: 30) }
    }

    /// `docker wait`: blocks until the container stops; returns its exit code. A `--rm`
    /// container is gone once its monitor has cleaned up, so the code comes from the exit
    /// frame on its attach socket, which the monitor sends first (Docker's wait, too,
    /// answers before the removal).
    public func wait(_ ref: String) throws -> Int32 {
        let record = try container(ref)
        guard record.state.status == .running else { return record.state.exitCode }
        let connection = try? AttachConnection(socketPath: paths.containerRun(record.id.rawValue) + "/attach")
        let announced = connection?.exitCode()
        _ = waitStopped(record, timeout: .infinity)
        if let announced, (try? store.load(record.id)) == nil { return announced }
        return try container(record.id.rawValue).state.exitCode
    }

    /// `docker restart`: a `--rm` container is restarted, not removed, as moby skips the
    /// auto-remove of a manually restarted container: the marker tells the monitor's cleanup.
    public func restart(_ ref: String, timeout: Double = 10, signal: Int32 = SIGTERM) throws {
        let record = try container(ref)
        if record.state.status == .running {
            FileManager.default.createFile(atPath: paths.containerRun(record.id.rawValue) + "/restarting", contents: nil)
        }
        try stop(record.id.rawValue, timeout: timeout, signal: signal)
        _ = try start(record.id.rawValue)
    }

    /// Waits for the monitor (which outlives init until cleanup is done); when the monitor
    /// is already dead, waits for init and does the cleanup itself.
    func waitStopped(_ record: ContainerRecord, timeout: Double) -> Bool {
        let monitorAlive = ProcessIdentity.isAlive(record.berth.monitorPid, startTime: record.berth.monitorStartTime)
        if monitorAlive {
            return MonitorProcess.waitForExit(
                pid: record.berth.monitorPid, startTime: record.berth.monitorStartTime,
                timeout: timeout.isFinite ? timeout : 1e9)
        }
        let gone = MonitorProcess.waitForExit(
            pid: record.state.pid, startTime: record.berth.initStartTime, timeout: timeout.isFinite ? timeout : 1e9)
        if gone { try? cleanup(record.id) }
        return gone
    }
}

/// Signal names as `docker kill -s` takes them: `KILL`, `SIGKILL`, `9`.
public enum SignalName {
    static let table: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT,
        "BUS": SIGBUS, "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2,
        "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM, "CHLD": SIGCHLD, "CONT": SIGCONT,
        "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN, "TTOU": SIGTTOU, "URG": SIGURG,
        "XCPU": SIGXCPU, "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM, "PROF": SIGPROF, "WINCH": SIGWINCH,
        "IO": SIGIO, "PWR": SIGPWR, "SYS": SIGSYS,
    ]

    public static func parse(_ text: String) throws -> Int32 {
        if let n = Int32(text), n > 0, n < 65 { return n }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name = String(name.dropFirst(3)) }
        guard let s = table[name] else {
            throw BerthError(message: "Invalid signal: \(text)", exitCode: 1)
        }
        return s
    }
}

extension Runtime {
    /// After an attached `run`/`start -a`: waits for the monitor to finish its cleanup (so a
    /// `--rm` container is gone when the CLI returns) and returns the exit code: the one the
    /// relay got in the exit frame, else the recorded one.
    public func waitForMonitor(_ started: StartedContainer, outcome: TerminalRelay.Outcome = .closed) throws -> Int32 {
        MonitorProcess.waitForExit(pid: started.monitorPid, startTime: 0, timeout: 1e9)
        if case .exited(let code) = outcome { return code }
        guard let record = try? store.load(started.record.id) else { return 0 }
        if record.state.status == .running, let repaired = try reconcile(record.id) { return repaired.state.exitCode }
        return record.state.exitCode
    }
}

extension ContainerRecord {
    /// Signals init through a pidfd, so a recycled PID can never receive it.
    func signalInit(_ signal: Int32) {
        let pid = state.pid
        guard ProcessIdentity.isAlive(pid, startTime: berth.initStartTime) else { return }
        let fd = berth_pidfd_open(pid)
        guard fd >= 0 else { return }
        defer { close(fd) }
        // Re-check after opening: the pidfd now pins this exact process.
        guard ProcessIdentity.isAlive(pid, startTime: berth.initStartTime) else { return }
        _ = berth_pidfd_send_signal(fd, signal)
    }
}
