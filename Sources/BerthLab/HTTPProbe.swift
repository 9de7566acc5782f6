#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A plain HTTP/1.0 GET over a socket with a deadline: enough to ask "does Apache answer?"
/// without URLSession's threads, and bounded so a silent port cannot hang the lab.
enum HTTPProbe {
    struct Response {
        var status: Int
        var body: String
    }

    enum Failure: Error {
        case badURL, resolve(String), connect(String), timeout, malformed
        var reason: String {
            switch self {
            case .badURL: "not an http:// URL"
            case .resolve(let e): "cannot resolve: \(e)"
            case .connect(let e): e
            case .timeout: "no answer in time"
            case .malformed: "not an HTTP answer"
            }
        }
    }

    static func get(_ url: String, timeout: Double) throws(Failure) -> Response {
        guard url.hasPrefix("http://") else { throw .badURL }
        let rest = url.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = String(authority)
        var port = "80"
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {  // [::1]:8080
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = String(after.dropFirst()) }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            port = String(host[host.index(after: colon)...])
            host = String(host[..<colon])
        }
        let deadline = Date().addingTimeInterval(timeout)
        let fd = try connect(host: host, port: port, deadline: deadline)
        defer { close(fd) }
        let request = "GET \(path.isEmpty ? "/" : String(path)) HTTP/1.0\r\nHost: \(authority)\r\nUser-Agent: berth-lab\r\nConnection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; throw .connect(String(cString: strerror(errno))) }
            sent += n
        }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while data.count < 1 << 20 {
            guard wait(fd, events: Int16(POLLIN), deadline: deadline) else { throw .timeout }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 { if errno == EINTR { continue }; throw .connect(String(cString: strerror(errno))) }
            if n == 0 { break }
            data += buffer[..<n]
        }
        let text = String(decoding: data, as: UTF8.self)
        let statusLine = text.prefix { $0 != "\r" && $0 != "\n" }.split(separator: " ")
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else {
            throw .malformed
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return Response(status: status, body: body)
    }

    private static func connect(host: String, port: String, deadline: Date) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, port, &hints, &list)
        guard rc == 0, let first = list else { throw .resolve(String(cString: gai_strerror(rc))) }
        defer { freeaddrinfo(list) }
        var lastError = "connection refused"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            if fd < 0 { continue }
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0 { return fd }
            if errno == EINPROGRESS, wait(fd, events: Int16(POLLOUT), deadline: deadline) {
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                if err == 0 { return fd }
                lastError = String(cString: strerror(err))
            } else if errno != EINPROGRESS {
                lastError = String(cString: strerror(errno))
            } else {
                lastError = "no answer in time"
            }
            close(fd)
        }
        throw .connect(lastError)
    }

    /// Polls until `events` or the deadline; retries EINTR.
    private static func wait(_ fd: Int32, events: Int16, deadline: Date) -> Bool {
        while true {
            let ms = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
            var p = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&p, 1, ms)
            if n < 0 && errno == EINTR { continue }
            return n > 0
        }
    }
}
