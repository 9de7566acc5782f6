#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// `berth lab play`: the output events written to the terminal with their timing, as
/// `asciinema play` does: `speed` divides every pause, `idleLimit` (or the header's
/// `idle_time_limit`) caps one.
package struct TranscriptPlayer {
    package var speed: Double
    package var idleLimit: Double?
    package var console: Console

    package init(speed: Double = 1, idleLimit: Double? = nil, console: Console = .current) {
        self.speed = speed
        self.idleLimit = idleLimit
        self.console = console
    }

    /// Plays to the end; returns the seconds the playback took by the transcript's clock.
    @discardableResult
    package func play(_ reader: AsciicastReader) throws(TranscriptError) -> Double {
        let cap = idleLimit ?? reader.header.idleTimeLimit
        let clock = ContinuousClock()
        let begin = clock.now
        var last: Double = 0
        var virtual: Double = 0
        while let event = try reader.next() {
            var gap = max(0, event.time - last)
            last = event.time
            if let cap { gap = min(gap, cap) }
            guard event.code == .output else {
                virtual += gap
                continue
            }
            virtual += gap
            let due = begin + .milliseconds(Int64(virtual / speed * 1000))
            if due > clock.now { try? sleepUntil(due, clock) }
            var bytes = Array(event.data.utf8)
            writeAll(console.outFD, &bytes)
        }
        return virtual
    }

    private func sleepUntil(_ due: ContinuousClock.Instant, _ clock: ContinuousClock) throws {
        let d = due - clock.now
        let ns = d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
        guard ns > 0 else { return }
        var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        var rest = timespec()
        while nanosleep(&ts, &rest) != 0 && errno == EINTR { ts = rest }
    }
}
