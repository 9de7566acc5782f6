#if canImport(Glibc)
import Glibc
#endif
import CBerth

/// Each watched signal's pipe write end, by signal number: a handler can reach only globals.
nonisolated(unsafe) private var signalPipeWriteFDs = [Int32](repeating: -1, count: 65)

/// Signals as bytes on a non-blocking pipe (the self-pipe trick), so a poll loop can wait
/// for them with its other fds and a long job can check for them at safe points. `stop()`
/// puts back the handlers and the signal mask found at `init`.
public final class SignalPipe {
    public let readFD: Int32
    private let writeFD: Int32
    private let signals: [Int32]
    private var saved: [sigaction] = []
    private var savedMask = sigset_t()

    /// `unblock`: a parent may have started us with the signals blocked (test runners block
    /// nearly all), which would keep them from ever arriving.
    public init(_ signals: [Int32], unblock: Bool = false) {
        self.signals = signals
        var fds: [Int32] = [-1, -1]
        _ = berth_pipe_cloexec(&fds)
        readFD = fds[0]
        writeFD = fds[1]
        _ = fcntl(readFD, F_SETFL, O_NONBLOCK)
        _ = fcntl(writeFD, F_SETFL, O_NONBLOCK)
        for s in signals {
            signalPipeWriteFDs[Int(s)] = writeFD
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { signal in
                var b = UInt8(truncatingIfNeeded: signal)
                _ = write(signalPipeWriteFDs[Int(signal)], &b, 1)
            }
            sa.sa_flags = SA_RESTART
            sigemptyset(&sa.sa_mask)
            var old = sigaction()
            sigaction(s, &sa, &old)
            saved.append(old)
        }
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        if unblock {
            pthread_sigmask(SIG_UNBLOCK, &set, &savedMask)
        } else {
            pthread_sigmask(SIG_BLOCK, nil, &savedMask)  // only reads the mask, to restore it
        }
    }

    /// The first signal received and not yet taken, if any (never blocks).
    public func pending() -> Int32? {
        var b: UInt8 = 0
        return read(readFD, &b, 1) == 1 ? Int32(b) : nil
    }

    public func stop() {
        pthread_sigmask(SIG_SETMASK, &savedMask, nil)
        for (s, old) in zip(signals, saved) {
            var o = old
            sigaction(s, &o, nil)
            signalPipeWriteFDs[Int(s)] = -1
        }
        close(readFD)
        close(writeFD)
    }
}
