#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A small tmux driver for end-to-end tests of terminal programs: a detached session of a
/// fixed size on a server of its own (`-L`), keys sent with send-keys, the screen read with
/// capture-pane (scrollback included), and waits on screen text with deadlines.
public final class Tmux: @unchecked Sendable {
    public let socket: String
    public let session = "t"
    let environment: [String: String]

    /// Starts `command` (a shell line) in a new session `width`×`height`. When the command
    /// ends, the pane prints `[exited N]` and stays, so its last screen can still be read.
    public init(_ command: String, environment: [String: String], width: Int = 160, height: Int = 50) throws {
        socket = "berth-test-" + UUID().uuidString.prefix(8).lowercased()
        self.environment = environment
        let wrapped = command + "; echo \"[exited $?]\"; sleep 3600"
        var args = ["new-session", "-d", "-s", session, "-x", String(width), "-y", String(height)]
        for (k, v) in environment where k.hasPrefix("BERTH") || k.hasPrefix("XDG") || k == "PATH" || k == "LANG" {
            args += ["-e", "\(k)=\(v)"]
        }
        args += [wrapped]
        let r = try tmux(args)
        guard r.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(r.stderr)") }
        _ = try? tmux(["set-option", "-t", session, "history-limit", "50000"])
    }

    deinit { kill() }

    @discardableResult
    func tmux(_ args: [String]) throws -> BerthProcess.Result {
        try BerthProcess.runProcess("/usr/bin/tmux", ["-L", socket] + args, environment: environment)
    }

    /// Types `text` literally (no key names), without Enter.
    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", session, "-l", text])
    }

    /// Sends key names: `Enter`, `C-c`, `C-p`, `Tab`.
    public func keys(_ names: String...) throws {
        try tmux(["send-keys", "-t", session] + names)
    }

    /// Types a line and presses Enter.
    public func line(_ text: String) throws {
        try type(text)
        try keys("Enter")
    }

    /// Everything the pane shows and has scrolled past, lines joined where they wrapped.
    public func screen() -> String {
        (try? tmux(["capture-pane", "-p", "-J", "-t", session, "-S", "-"]).stdout) ?? ""
    }

    public func count(_ text: String) -> Int { screen().components(separatedBy: text).count - 1 }

    /// Waits until `text` appears at least `times` times on the screen.
    @discardableResult
    public func waitFor(_ text: String, times: Int = 1, timeout: Double = 20) -> Bool {
        waitUntil(timeout) { count(text) >= times }
    }

    /// Ends the server and what runs in its pane. `kill-server` alone can leave the server
    /// waiting on a pane process that ignores SIGHUP, so both are signalled by PID as well.
    public func kill() {
        let pids = (try? tmux(["display-message", "-p", "-t", session, "#{pane_pid} #{pid}"]).stdout) ?? ""
        _ = try? tmux(["kill-server"])
        for pid in pids.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap({ pid_t($0) }) where pid > 1 {
            Glibc.kill(pid, SIGKILL)
        }
    }
}

public struct TmuxError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
