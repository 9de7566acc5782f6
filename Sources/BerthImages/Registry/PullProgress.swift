#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// What `docker pull` shows while it works. On a terminal each layer keeps one line that is
/// rewritten in place (`Downloading [=====>   ]  12.6MB/49.6MB`); elsewhere only status
/// changes are printed, one line each, as Docker's jsonmessage does without a TTY.
/// Called from the download threads, so writes are serialised by a lock.
package final class PullProgress: @unchecked Sendable {
    let fd: Int32
    let terminal: Bool
    let quiet: Bool
    private let lock = NSLock()
    private var ids: [String] = []
    private var lastDraw: [String: Double] = [:]

    /// `fd` is where the lines go (stdout for `pull`, stderr for `run`); `terminal` turns on bars.
    package init(fd: Int32, terminal: Bool, quiet: Bool = false) {
        self.fd = fd
        self.terminal = terminal
        self.quiet = quiet
    }

    /// No output at all (tests, `pull -q`).
    package static var silent: PullProgress { PullProgress(fd: -1, terminal: false, quiet: true) }

    /// A line of its own: `latest: Pulling from library/busybox`, `Digest: …`, `Status: …`.
    package func line(_ text: String) {
        guard !quiet else { return }
        lock.withLock { emit(text + "\n") }
    }

    /// A layer's new status: `Pulling fs layer`, `Already exists`, `Download complete`, `Pull complete`.
    package func layer(_ id: String, _ status: String) {
        guard !quiet else { return }
        lock.withLock {
            lastDraw[id] = nil
            draw(id, "\(id): \(status)")
        }
    }

    /// Bytes done of `total` for `Downloading` or `Extracting`: a bar on a terminal, nothing elsewhere.
    package func bytes(_ id: String, _ action: String, current: Int64, total: Int64) {
        guard !quiet, terminal else { return }
        let now = Date().timeIntervalSinceReferenceDate
        lock.withLock {
            // A redraw per 1 MiB read would cost more than the read; ten a second is smooth enough.
            if let last = lastDraw[id], now - last < 0.1, current < total { return }
            lastDraw[id] = now
            draw(id, "\(id): \(action) \(PullProgress.bar(current: current, total: total))")
        }
    }

    private func draw(_ id: String, _ text: String) {
        guard terminal else {
            emit(text + "\n")
            return
        }
        guard let index = ids.firstIndex(of: id) else {
            ids.append(id)
            emit("\u{1b}[2K" + text + "\n")
            return
        }
        let up = ids.count - index
        emit("\u{1b}[\(up)A\r\u{1b}[2K" + text + "\r\u{1b}[\(up)B")
    }

    private func emit(_ text: String) {
        guard fd >= 0 else { return }
        var bytes = Array(text.utf8)
        writeAll(fd, &bytes)
    }

    /// Docker's `JSONProgress.String()`: a 50-column bar and decimal sizes (`18.25MB/49.56MB`).
    static func bar(current: Int64, total: Int64) -> String {
        guard total > 0 else { return HumanSize.string(current, precision: 4) }
        let width = 50
        let filled = Int(Double(width) * Double(min(current, total)) / Double(total))
        var bar = String(repeating: "=", count: filled)
        if filled < width { bar += ">" + String(repeating: " ", count: width - filled - 1) }
        return "[\(bar)]  \(HumanSize.string(current, precision: 4))/\(HumanSize.string(total, precision: 4))"
    }
}
