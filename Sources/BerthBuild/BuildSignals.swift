#if canImport(Glibc)
import Glibc
#endif
import CBerth

/// Written by the signal handler, read by nobody else: the self-pipe's write end.
nonisolated(unsafe) private var buildSignalWriteFD: Int32 = -1

/// SIGINT, SIGTERM and SIGHUP during a build become bytes on a pipe (the self-pipe trick):
/// the build stops at the next safe point (between steps, or while a RUN waits) and cleans
/// up its container, instead of dying with a half-made step behind it.
final class BuildSignals {
    let readFD: Int32
    private var saved: [(Int32, sigaction)] = []
    private var savedMask = sigset_t()
    static let watched: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    init() {
        var fds: [Int32] = [-1, -1]
        _ = berth_pipe_cloexec(&fds)
        readFD = fds[0]
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        buildSignalWriteFD = fds[1]
        for s in BuildSignals.watched {
            var sa = sigaction()
            sa.__sigaction_handler.sa_handler = { signal in
                var b = UInt8(truncatingIfNeeded: signal)
                _ = write(buildSignalWriteFD, &b, 1)
            }
            sa.sa_flags = SA_RESTART
            sigemptyset(&sa.sa_mask)
            var old = sigaction()
            sigaction(s, &sa, &old)
            saved.append((s, old))
        }
        // A parent may have started us with these blocked (test runners block nearly all).
        var set = sigset_t()
        sigemptyset(&set)
        for s in BuildSignals.watched { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, &savedMask)
    }

    /// The first signal received, if any (without blocking).
    func pending() -> Int32? {
        var b: UInt8 = 0
        return read(readFD, &b, 1) == 1 ? Int32(b) : nil
    }

    func stop() {
        pthread_sigmask(SIG_SETMASK, &savedMask, nil)
        for (s, old) in saved {
            var o = old
            sigaction(s, &o, nil)
        }
        close(readFD)
        close(buildSignalWriteFD)
        buildSignalWriteFD = -1
    }
}
