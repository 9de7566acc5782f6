#if canImport(Glibc)
import Glibc
#endif

/// Where a command writes. The CLI uses fds 1 and 2; the lab REPL runs commands on its own
/// terminal the same way, so every byte passes through the same descriptors the recorder sees.
public struct Console: Sendable {
    public var outFD: Int32
    public var errFD: Int32
    public var inFD: Int32

    public init(inFD: Int32 = 0, outFD: Int32 = 1, errFD: Int32 = 2) {
        self.inFD = inFD
        self.outFD = outFD
        self.errFD = errFD
    }

    @TaskLocal public static var current = Console()

    public func out(_ line: String) { write(outFD, line + "\n") }
    public func err(_ line: String) { write(errFD, line + "\n") }
    public func outRaw(_ text: String) { write(outFD, text) }

    public var stdinIsTerminal: Bool { isatty(inFD) == 1 }
    public var stdoutIsTerminal: Bool { isatty(outFD) == 1 }

    private func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        writeAll(fd, &bytes)
    }
}

/// Writes every byte, retrying short writes and EINTR; gives up silently on a closed pipe
/// (EPIPE), as Docker's CLI does when piped into `head`.
public func writeAll(_ fd: Int32, _ bytes: inout [UInt8]) {
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
        if n < 0 {
            if errno == EINTR { continue }
            return
        }
        off += n
    }
}
