import CBerth
import Foundation

/// A tiny HTTP/1.1 server over sockets for registry tests: each connection gets one request
/// and a reply that `handler` chooses — a canned answer, or the request relayed to a real
/// registry (optionally altered, or cut off half way to stand for a stalled download).
/// Every request is recorded, so a test can assert what a client sent (or did not send).
public final class TestHTTPServer: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Lowercased names.
        public var headers: [String: String]
    }

    public enum Reply: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Relays to `127.0.0.1:port` without the client's Authorization; `transform` may alter the raw response.
        case forward(port: UInt16, transform: (@Sendable ([UInt8]) -> [UInt8])? = nil)
        /// Relays a response whose body is over `ifBodyOver` bytes only half way, then holds the
        /// connection open until `stop()` (a download that hangs); smaller ones pass whole.
        case stall(port: UInt16, ifBodyOver: Int)
    }

    public let port: UInt16
    public let address: String
    private let listenFD: Int32
    private let handler: @Sendable (Request) -> Reply
    private let condition = NSCondition()
    private var recorded: [Request] = []
    private var stalls = 0
    private var stopped = false

    /// Listens on `address` (any loopback address: 127.0.0.2 is another host to a client).
    public init(address: String = "127.0.0.1", handler: @escaping @Sendable (Request) -> Reply) throws {
        self.address = address
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = 0
        inet_pton(AF_INET, address, &sin.sin_addr)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE)
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: sin.sin_port)
        listenFD = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// `http://address:port`.
    public var url: String { "http://\(address):\(port)" }

    /// The requests received so far.
    public var requests: [Request] { condition.withLock { recorded } }

    /// How many `.stall` replies are holding a connection now.
    public var stalledCount: Int { condition.withLock { stalls } }

    /// Stops accepting, and releases stalled connections.
    public func stop() {
        condition.withLock {
            guard !stopped else { return }
            stopped = true
            shutdown(listenFD, Int32(SHUT_RDWR))
            close(listenFD)
            condition.broadcast()
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        guard let request = TestHTTPServer.readRequest(fd) else { return }
        condition.withLock { recorded.append(request) }
        switch handler(request) {
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) X\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            for (k, v) in headers { head += "\(k): \(v)\r\n" }
            TestHTTPServer.writeAll(fd, Array((head + "\r\n").utf8) + (request.method == "HEAD" ? [] : body))
        case .forward(let port, let transform):
            let response = TestHTTPServer.relay(request, to: port)
            TestHTTPServer.writeAll(fd, transform.map { $0(response) } ?? response)
        case .stall(let port, let limit):
            let response = TestHTTPServer.relay(request, to: port)
            let (head, body) = TestHTTPServer.split(response)
            guard body.count > limit else {
                TestHTTPServer.writeAll(fd, response)
                return
            }
            TestHTTPServer.writeAll(fd, head + body.prefix(body.count / 2))
            condition.withLock {
                stalls += 1
                condition.broadcast()
                while !stopped { condition.wait() }
                stalls -= 1
            }
        }
    }

    /// Blocks until `stalledCount` reaches `count` or `timeout` seconds pass; returns whether it did.
    public func waitForStall(_ count: Int = 1, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        return condition.withLock {
            while stalls < count {
                if !condition.wait(until: deadline) { return stalls >= count }
            }
            return true
        }
    }

    static func readRequest(_ fd: Int32) -> Request? {
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while !data.ends(with: [13, 10, 13, 10]) {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { return nil }
            data += buf[0..<n]
            // A TLS ClientHello (berth tries https first on insecure registries): answer as Go's
            // net/http does, so the client sees "server gave HTTP response" and falls back.
            if data.first == 0x16 {
                writeAll(fd, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return nil
            }
            if data.count > 1 << 16 { return nil }
        }
        let lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\r\n")
        let first = lines[0].split(separator: " ")
        guard first.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Request(method: String(first[0]), path: String(first[1]), headers: headers)
    }

    /// Sends `request` to the registry on `port` (no Authorization) and returns its whole raw response.
    static func relay(_ request: Request, to port: UInt16) -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { return Array("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8) }
        var head = "\(request.method) \(request.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let accept = request.headers["accept"] { head += "Accept: \(accept)\r\n" }
        writeAll(fd, Array((head + "\r\n").utf8))
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { return out }
            out += buf[0..<n]
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + off, $0.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            off += n
        }
    }

    /// Splits a raw response at the blank line: (head, body).
    public static func split(_ response: [UInt8]) -> (head: [UInt8], body: [UInt8]) {
        for i in 0..<max(0, response.count - 3) where response[i] == 13 && response[i + 1] == 10 && response[i + 2] == 13 && response[i + 3] == 10 {
            return (Array(response[..<(i + 4)]), Array(response[(i + 4)...]))
        }
        return (response, [])
    }
}

extension Array where Element == UInt8 {
    fileprivate func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
