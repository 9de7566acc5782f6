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

/// An HTTP/1.1 request on its own connection (`Connection: close`), read as a stream:
/// a registry pull makes a handful of requests, so keep-alive would buy nothing, and one
/// connection per blob lets downloads run on separate threads. `https` goes through
/// `TLSStream` (OpenSSL), `http` straight to the socket.
package final class HTTPConnection {
    package private(set) var status = 0
    /// Header names lowercased, in the order received.
    package private(set) var headers: [(name: String, value: String)] = []
    private let stream: any ByteStream
    /// Bytes read but not yet consumed live in `buffer[start..<end]`.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 8)
    private var start = 0
    private var end = 0
    private var body: BodyFraming

    enum BodyFraming {
        case length(Int64)  // bytes still to read
        case chunked(Int64)  // bytes left in the current chunk; -1 before the first size line
        case untilClose
        case done
    }

    /// Connects to `url`, handshakes TLS for `https` (verified as `tls` says), sends the
    /// request and reads the status line and headers. `timeout` bounds the connect and each
    /// later read or write. Throws `HTTPFailure`.
    package init(method: String, url: URL, headers: [(String, String)], timeout: Double, tls: TLSConfiguration?) throws(HTTPFailure) {
        let secure = url.scheme == "https"
        guard url.scheme == "http" || (secure && tls != nil), let host = url.host else {
            throw HTTPFailure(description: "unsupported protocol scheme \"\(url.scheme ?? "")\"")
        }
        let port = url.port ?? (secure ? 443 : 80)
        let endpoint = HTTPConnection.hostPort(host, port)
        let socket = SocketStream(fd: try HTTPConnection.connect(host: host, port: port, timeout: timeout), endpoint: endpoint)
        if secure, let tls {
            stream = try TLSStream(socket: socket, host: host, configuration: tls)
        } else {
            stream = socket
        }
        body = .done
        // URL.path drops a trailing slash, and `/v2` is not `/v2/` to a registry.
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        var target = components?.percentEncodedPath ?? "/"
        if target.isEmpty { target = "/" }
        if let q = components?.percentEncodedQuery { target += "?" + q }
        // Go's Host header leaves out the scheme's default port.
        let hostHeader = url.port == nil ? (host.contains(":") ? "[\(host)]" : host) : endpoint
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: berth/1.0 (docker-compatible)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        head += "Connection: close\r\n\r\n"
        do throws(HTTPFailure) {
            try stream.write(Array(head.utf8))
            (status, self.headers) = try readHead()
        } catch {
            stream.close()
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

    deinit {
        close()
        buffer.deallocate()
    }

    package func close() {
        stream.close()
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

    // MARK: - Reading through the stream

    private func readRaw(into: UnsafeMutableRawBufferPointer) throws(HTTPFailure) -> Int {
        if start < end {
            let n = min(into.count, end - start)
            into.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: n)
            start += n
            return n
        }
        return try stream.read(into: into)
    }

    private func fill() throws(HTTPFailure) -> Bool {
        if start == end { (start, end) = (0, 0) }
        if end == buffer.count {
            if start > 0 {
                memmove(buffer.baseAddress!, buffer.baseAddress! + start, end - start)
                (start, end) = (0, end - start)
            } else {
                throw HTTPFailure(description: "server sent a header line longer than \(buffer.count) bytes")
            }
        }
        let got = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
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
