#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// Why an HTTP exchange failed before the server answered, worded like Go's net package
/// (moby prints these verbatim): `dial tcp 127.0.0.1:5999: connect: connection refused`.
package struct HTTPFailure: Error, Sendable, CustomStringConvertible {
    package var description: String
}

/// A plain HTTP/1.1 request on its own connection (`Connection: close`), read as a stream:
/// a registry pull makes a handful of requests, so keep-alive would buy nothing, and one
/// connection per blob lets downloads run on separate threads. `https` is not spoken here.
package final class HTTPConnection {
    package private(set) var status = 0
    /// Header names lowercased, in the order received.
    package private(set) var headers: [(name: String, value: String)] = []
    private let fd: Int32
    private let endpoint: String
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var body: BodyFraming
    private var closed = false

    enum BodyFraming {
        case length(Int64)  // bytes still to read
        case chunked(Int64)  // bytes left in the current chunk; -1 before the first size line
        case untilClose
        case done
    }

    /// Connects to `url` (http only), sends the request and reads the status line and
    /// headers. `timeout` bounds the connect and each later read or write. Throws `HTTPFailure`.
    package init(method: String, url: URL, headers: [(String, String)], timeout: Double) throws(HTTPFailure) {
        guard url.scheme == "http", let host = url.host else {
            throw HTTPFailure(description: "unsupported protocol scheme \"\(url.scheme ?? "")\"")
        }
        let port = url.port ?? 80
        endpoint = HTTPConnection.hostPort(host, port)
        fd = try HTTPConnection.connect(host: host, port: port, timeout: timeout)
        buffer = [UInt8](repeating: 0, count: 1 << 16)
        body = .done
        // URL.path drops a trailing slash, and `/v2` is not `/v2/` to a registry.
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        var target = components?.percentEncodedPath ?? "/"
        if target.isEmpty { target = "/" }
        if let q = components?.percentEncodedQuery { target += "?" + q }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(endpoint)\r\nUser-Agent: berth/1.0 (docker-compatible)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "Connection: close\r\n\r\n"
        do {
            try sendAll(Array(head.utf8))
            (status, self.headers) = try readHead()
        } catch {
            Glibc.close(fd)
            closed = true
            throw error
        }
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            body = .done
        } else if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            body = .chunked(-1)
        } else if let len = header("content-length").flatMap({ Int64($0.trimmingCharacters(in: .whitespaces)) }) {
            body = .length(len)
        } else {
            body = .untilClose
        }
    }

    deinit { close() }

    package func close() {
        if !closed { Glibc.close(fd) }
        closed = true
    }

    /// The first value of header `name` (case-insensitive).
    package func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name == n }?.value
    }

    /// Reads body bytes into `into`; returns 0 at the end of the body.
    package func read(into: UnsafeMutableRawBufferPointer) throws(HTTPFailure) -> Int {
        while true {
            switch body {
            case .done:
                return 0
            case .length(let left):
                if left == 0 {
                    body = .done
                    return 0
                }
                let n = try readRaw(into: UnsafeMutableRawBufferPointer(rebasing: into[0..<Int(min(Int64(into.count), left))]))
                if n == 0 { throw HTTPFailure(description: "unexpected EOF") }
                body = .length(left - Int64(n))
                return n
            case .untilClose:
                let n = try readRaw(into: into)
                if n == 0 { body = .done }
                return n
            case .chunked(let left):
                if left > 0 {
                    let n = try readRaw(into: UnsafeMutableRawBufferPointer(rebasing: into[0..<Int(min(Int64(into.count), left))]))
                    if n == 0 { throw HTTPFailure(description: "unexpected EOF") }
                    body = .chunked(left - Int64(n))
                    return n
                }
                if left == 0 { _ = try readLine() }  // the CRLF after a chunk
                let sizeLine = try readLine()
                let hex = sizeLine.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int64(hex, radix: 16), size >= 0 else {
                    throw HTTPFailure(description: "malformed chunked encoding")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}  // trailers
                    body = .done
                    return 0
                }
                body = .chunked(size)
            }
        }
    }

    /// The whole body, refusing more than `limit` bytes (manifests, configs, error JSON).
    package func readAll(limit: Int = 8 << 20) throws(HTTPFailure) -> Data {
        var out = Data()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
        defer { chunk.deallocate() }
        while true {
            let n = try read(into: chunk)
            if n == 0 { return out }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            if out.count > limit { throw HTTPFailure(description: "response body larger than \(limit) bytes") }
        }
    }

    // MARK: - Socket plumbing

    private func readRaw(into: UnsafeMutableRawBufferPointer) throws(HTTPFailure) -> Int {
        if start < end {
            let n = min(into.count, end - start)
            buffer.withUnsafeBytes { into.baseAddress!.copyMemory(from: $0.baseAddress! + start, byteCount: n) }
            start += n
            return n
        }
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

    private func fill() throws(HTTPFailure) -> Bool {
        if start == end { (start, end) = (0, 0) }
        if end == buffer.count {
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                (start, end) = (0, end - start)
            } else {
                throw HTTPFailure(description: "server sent a header line longer than \(buffer.count) bytes")
            }
        }
        var got = 0
        while true {
            got = buffer.withUnsafeMutableBytes { b in Glibc.read(fd, b.baseAddress! + end, b.count - end) }
            if got >= 0 { break }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                throw HTTPFailure(description: "read tcp \(endpoint): i/o timeout")
            }
            throw HTTPFailure(description: "read tcp \(endpoint): \(HTTPConnection.goErrno(errno))")
        }
        end += got
        return got > 0
    }

    private func readLine() throws(HTTPFailure) -> String {
        while true {
            if let nl = buffer[start..<end].firstIndex(of: 10) {
                var lineEnd = nl
                if lineEnd > start && buffer[lineEnd - 1] == 13 { lineEnd -= 1 }
                let line = String(decoding: buffer[start..<lineEnd], as: UTF8.self)
                start = nl + 1
                return line
            }
            guard try fill() else { throw HTTPFailure(description: "EOF") }
        }
    }

    private func readHead() throws(HTTPFailure) -> (Int, [(name: String, value: String)]) {
        let statusLine = try readLine()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else {
            throw HTTPFailure(description: "malformed HTTP response \"\(statusLine)\"")
        }
        var headers: [(name: String, value: String)] = []
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        return (code, headers)
    }

    private func sendAll(_ bytes: [UInt8]) throws(HTTPFailure) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw HTTPFailure(description: "write tcp \(endpoint): \(HTTPConnection.goErrno(errno))")
            }
            off += n
        }
    }

    static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Resolves `host` and connects to the first address that answers within `timeout`.
    static func connect(host: String, port: Int, timeout: Double) throws(HTTPFailure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw HTTPFailure(description: "dial tcp: lookup \(host): no such host")
        }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            if fd < 0 {
                lastError = errno
                continue
            }
            var r = Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen)
            if r < 0 && errno == EINPROGRESS {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                var ready: Int32
                repeat { ready = poll(&p, 1, Int32(timeout * 1000)) } while ready < 0 && errno == EINTR
                if ready == 0 {
                    Glibc.close(fd)
                    throw HTTPFailure(description: "dial tcp \(hostPort(host, port)): i/o timeout")
                }
                var soError: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
                if soError == 0 { r = 0 } else { errno = soError }
            }
            if r < 0 {
                lastError = errno
                Glibc.close(fd)
                continue
            }
            // Back to blocking; SO_RCVTIMEO/SO_SNDTIMEO bound each read and write instead.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return fd
        }
        throw HTTPFailure(description: "dial tcp \(hostPort(host, port)): connect: \(goErrno(lastError))")
    }

    /// Go prints errno texts in lower case (`connection refused`).
    static func goErrno(_ e: Int32) -> String {
        String(cString: strerror(e)).lowercased()
    }
}
