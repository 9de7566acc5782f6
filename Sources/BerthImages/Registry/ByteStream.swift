#if canImport(Glibc)
import Glibc
#endif

/// What `HTTPConnection` reads and writes through: the TCP socket itself (`SocketStream`)
/// or TLS over it (`TLSStream`). Errors are Go's transport texts, which Docker prints.
protocol ByteStream: AnyObject {
    /// Bytes read into `into`, 0 at the end of the stream.
    func read(into: UnsafeMutableRawBufferPointer) throws(HTTPFailure) -> Int
    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws(HTTPFailure)
    /// Releases the connection; safe to call twice.
    func close()
}

/// A connected TCP socket that it owns; SO_RCVTIMEO/SO_SNDTIMEO (set by
/// `HTTPConnection.connect`) bound each read and write.
final class SocketStream: ByteStream {
    let fd: Int32
    let endpoint: String
    private var closed = false

    init(fd: Int32, endpoint: String) {
        self.fd = fd
        self.endpoint = endpoint
    }

    deinit { close() }

    func read(into: UnsafeMutableRawBufferPointer) throws(HTTPFailure) -> Int {
        while true {
            let n = Glibc.read(fd, into.baseAddress!, into.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw HTTPFailure(description: "read tcp \(endpoint): i/o timeout")
            }
            throw HTTPFailure(description: "read tcp \(endpoint): \(HTTPConnection.goErrno(errno))")
        }
    }

    func write(_ bytes: [UInt8]) throws(HTTPFailure) {
        var off = 0
        while off < bytes.count {
            // MSG_NOSIGNAL: a registry that hangs up must not kill berth with SIGPIPE.
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HTTPFailure(description: "write tcp \(endpoint): \(HTTPConnection.goErrno(errno))")
            }
            off += n
        }
    }

    func close() {
        if !closed { Glibc.close(fd) }
        closed = true
    }
}
