import CBerth
import Foundation

/// A real `docker-registry` (Debian's distribution 2.8) on a free port of `address` (127.0.0.1
/// unless told) with its own config and storage in a temp dir, optionally behind htpasswd
/// Basic auth, serving TLS with a given certificate, or inside a network namespace. `init`
/// returns once `/v2/` answers; `stop()` (call it in `defer`) kills it and removes the dir.
public final class Registry: @unchecked Sendable {
    public static let binary = "/usr/bin/docker-registry"
    public static var available: Bool {
        FileManager.default.isExecutableFile(atPath: binary) && FileManager.default.isExecutableFile(atPath: "/usr/bin/skopeo")
    }

    public let port: UInt16
    public let address: String
    public let dir: String
    public let credentials: (user: String, password: String)?
    private let pid: pid_t
    private var stopped = false

    /// `ADDRESS:PORT`, the registry part of an image name.
    public var host: String { "\(address):\(port)" }

    public init(
        credentials: (user: String, password: String)? = nil, address: String = "127.0.0.1",
        tls: (certificate: String, key: String)? = nil, clientCA: String? = nil, namespace: TestNetworkNamespace? = nil
    ) throws {
        self.address = address
        dir = NSTemporaryDirectory() + "berth-registry-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        self.credentials = credentials
        port = try Registry.freePort()
        var auth = ""
        if let credentials {
            let line = try Registry.run("/usr/bin/htpasswd", ["-Bbn", credentials.user, credentials.password])
            try line.write(toFile: dir + "/htpasswd", atomically: true, encoding: .utf8)
            auth = "auth:\n  htpasswd:\n    realm: berth-test\n    path: \(dir)/htpasswd\n"
        }
        var tlsConfig = tls.map { "  tls:\n    certificate: \($0.certificate)\n    key: \($0.key)\n" } ?? ""
        // With client CAs, distribution requires and verifies a client certificate.
        if let clientCA { tlsConfig += "    clientcas:\n      - \(clientCA)\n" }
        let config = """
            version: 0.1
            log:
              level: error
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: \(dir)/data
              delete:
                enabled: true
            http:
              addr: \(address):\(port)
            \(tlsConfig)\(auth)
            """
        try config.write(toFile: dir + "/config.yml", atomically: true, encoding: .utf8)
        // `ip netns exec` execs the registry, so the pid is the registry's own.
        let (program, args) = namespace?.command(Registry.binary, ["serve", dir + "/config.yml"])
            ?? (Registry.binary, ["serve", dir + "/config.yml"])
        pid = try Registry.spawn(program, args, log: dir + "/registry.log")
        let port = port
        let pid = pid
        // A TLS registry answers the plain probe with 400, which still says it is up.
        let up = waitUntil(15, "docker-registry answers /v2/") {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return true }  // exited: fail below
            return Registry.probe(port: port, address: address) != nil
        }
        guard up, Registry.probe(port: port, address: address) != nil else {
            let log = (try? String(contentsOfFile: dir + "/registry.log", encoding: .utf8)) ?? ""
            stop()
            throw RegistryError(message: "docker-registry did not answer on \(address):\(port): \(log)")
        }
    }

    deinit { stop() }

    public func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// `skopeo copy docker-archive:ARCHIVE docker://127.0.0.1:PORT/NAME`, with the registry's
    /// credentials. `compress` picks the layer compression (`gzip`, `zstd`).
    public func push(archive: String, as name: String, compress: String = "gzip") throws {
        var args = ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "--dest-compress",
                    "--dest-compress-format", compress]
        if let c = credentials { args += ["--dest-creds", "\(c.user):\(c.password)"] }
        args += ["docker-archive:" + archive, "docker://\(host)/\(name)"]
        _ = try Registry.run("/usr/bin/skopeo", args)
    }

    /// The status code `GET /v2/` answers with, or nil when nothing answers.
    public static func probe(port: UInt16, address: String = "127.0.0.1") -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sin.sin_addr)
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { return nil }
        TestHTTPServer.writeAll(fd, Array("GET /v2/ HTTP/1.0\r\nHost: \(address):\(port)\r\n\r\n".utf8))
        var buf = [UInt8](repeating: 0, count: 256)
        let n = read(fd, &buf, buf.count)
        guard n > 12 else { return nil }
        return Int(String(decoding: buf[9..<12], as: UTF8.self))
    }

    /// A port nothing listens on right now (bind to 0, read it back, close).
    public static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw RegistryError(message: "cannot find a free port") }
        return UInt16(bigEndian: sin.sin_port)
    }

    /// Runs a host program to completion; throws with its stderr when it fails. Returns stdout.
    @discardableResult
    public static func run(_ program: String, _ args: [String]) throws -> String {
        let r = try BerthProcess.runProcess(program, args, environment: ProcessInfo.processInfo.environment)
        guard r.status == 0 else { throw RegistryError(message: "\(program) \(args.joined(separator: " ")): \(r.stderr)") }
        return r.stdout
    }

    static func spawn(_ program: String, _ args: [String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([program] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard rc == 0 else { throw RegistryError(message: "cannot start \(program): \(String(cString: strerror(rc)))") }
        return pid
    }
}

public struct RegistryError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Docker's token flow in front of a registry that has no auth of its own: `/token` hands
/// out random tokens for the right Basic credentials, `/v2/…` answers 401 with a Bearer
/// challenge unless it carries a token it issued, then relays to the registry.
/// With `blobHost` set, blob requests are redirected there (a second server on another
/// loopback address, standing in for a CDN) so a test can see what it was sent.
public final class TokenServer: @unchecked Sendable {
    public let server: TestHTTPServer
    private let state: State

    final class State: @unchecked Sendable {
        let lock = NSLock()
        var tokens: Set<String> = []
        var blobBase: String?
    }

    public init(registry: Registry, user: String, password: String) throws {
        let state = State()
        self.state = state
        let expected = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        let registryPort = registry.port
        let realm = LockedBox<String>("")
        server = try TestHTTPServer { request in
            if request.path.hasPrefix("/token") {
                guard request.headers["authorization"] == expected else {
                    return .respond(status: 401, headers: [("Content-Type", "application/json")],
                                    body: Array(#"{"details":"incorrect username or password"}"#.utf8))
                }
                let token = UUID().uuidString
                state.lock.withLock { _ = state.tokens.insert(token) }
                return .respond(status: 200, headers: [("Content-Type", "application/json")],
                                body: Array(#"{"token":"\#(token)","expires_in":300}"#.utf8))
            }
            let auth = request.headers["authorization"] ?? ""
            let valid = auth.hasPrefix("Bearer ") && state.lock.withLock { state.tokens.contains(String(auth.dropFirst(7))) }
            guard valid else {
                return .respond(
                    status: 401,
                    headers: [("Content-Type", "application/json"),
                              ("WWW-Authenticate", #"Bearer realm="\#(realm.value)/token",service="berth-test""#)],
                    body: Array(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.utf8))
            }
            if request.path.contains("/blobs/"), let base = state.lock.withLock({ state.blobBase }) {
                return .respond(status: 307, headers: [("Location", base + request.path)], body: [])
            }
            return .forward(port: registryPort)
        }
        realm.value = server.url
    }

    /// Redirect blob requests to `base` (`http://127.0.0.2:PORT`).
    public func redirectBlobs(to base: String) {
        state.lock.withLock { state.blobBase = base }
    }

    public var host: String { "127.0.0.1:\(server.port)" }

    public func stop() { server.stop() }
}

/// A value shared with a `@Sendable` closure that is made before the value is known.
public final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    public init(_ value: T) { stored = value }
    public var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
