import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// `berth` with a HOME and registry config of the test's own, so `login` never touches
/// the machine's `~/.config/berth/auth.json` or `/etc/berth/config.json`.
struct RegistryUser {
    let berth: BerthProcess
    let home: String

    init(_ berth: BerthProcess) throws {
        self.berth = berth
        home = berth.paths.root + "/../home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    var authFile: String { home + "/.config/berth/auth.json" }

    @discardableResult
    func run(_ args: String..., input: String? = nil) throws -> BerthProcess.Result {
        var env = berth.environment
        env["HOME"] = home
        env["BERTH_CONFIG"] = home + "/config.json"
        return try BerthProcess.runProcess(BerthProcess.binary, args, environment: env, input: input)
    }

    /// Starts `berth ARGS` without waiting: (pid, stdin, stdout, stderr).
    func spawn(_ args: String...) throws -> (pid_t, Int32, Int32, Int32) {
        var env = berth.environment
        env["HOME"] = home
        env["BERTH_CONFIG"] = home + "/config.json"
        return try BerthProcess.spawnProcess(BerthProcess.binary, args, environment: env)
    }
}

/// Two images to push: `base` (the busybox seed, one layer) and `derived` (busybox plus
/// one committed layer), saved with `berth save` from a scratch state root.
struct PushedImages {
    let base: String
    let derived: String
    /// `sha256:…` of `base`: a pull of it must register this ID.
    var baseID = ""

    static func make(in dir: String) throws -> PushedImages {
        try withTemporaryStateRoot { source in
            let seed = try source.run("seed", "busybox")
            #expect(seed.status == 0, "\(seed.stderr)")
            let made = try source.run("run", "--name", "mk", "busybox", "sh", "-c", "echo derived-layer > /marker")
            #expect(made.status == 0, "\(made.stderr)")
            #expect(try source.run("commit", "mk", "derived:v1").status == 0)
            let id = try source.run("image", "inspect", "-f", "{{.Id}}", "busybox").trimmed
            let images = PushedImages(base: dir + "/base.tar", derived: dir + "/derived.tar", baseID: id)
            #expect(try source.run("save", "-o", images.base, "busybox").status == 0)
            #expect(try source.run("save", "-o", images.derived, "derived:v1").status == 0)
            return images
        }
    }
}

func layerCount(_ berth: BerthProcess) -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: berth.paths.root + "/image/overlay2/layerdb/sha256").count) ?? 0
}

func pullStaging(_ berth: BerthProcess) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: berth.paths.tmp)) ?? []).filter { $0.hasPrefix("pull-") }
}

@Suite(.tags(.root), .enabled(if: isRoot && Registry.available, "needs root, docker-registry and skopeo"))
struct RegistryTests {
    @Test("Basic auth: login/logout, pull, a shared base layer downloaded once and kept by rmi")
    func basicAuthSharedLayers() throws {
        let registry = try Registry(credentials: ("berth", "s3cret"))
        defer { registry.stop() }
        try withTemporaryStateRoot { berth in
            let images = try PushedImages.make(in: berth.paths.root + "/..")
            try registry.push(archive: images.base, as: "base:v1")
            try registry.push(archive: images.derived, as: "derived:v1")
            let user = try RegistryUser(berth)
            let h = registry.host

            let anonymous = try user.run("pull", "\(h)/base:v1")
            #expect(anonymous.status == 1)
            #expect(anonymous.stderr == "Error response from daemon: Get \"http://\(h)/v2/base/manifests/v1\": no basic auth credentials\n")

            let wrong = try user.run("login", "-u", "berth", "-p", "nope", h)
            #expect(wrong.status == 1)
            #expect(wrong.stderr.contains("Error response from daemon: Get \"http://\(h)/v2/\": unauthorized: "), "\(wrong.stderr)")
            #expect(!FileManager.default.fileExists(atPath: user.authFile))

            let login = try user.run("login", "-u", "berth", "--password-stdin", h, input: "s3cret\n")
            #expect(login.status == 0, "\(login.stderr)")
            #expect(login.trimmed == "Login Succeeded")
            let mode = (try FileManager.default.attributesOfItem(atPath: user.authFile)[.posixPermissions] as? Int) ?? 0
            #expect(mode == 0o600)
            #expect(try String(contentsOfFile: user.authFile, encoding: .utf8).contains("\"\(h)\""))

            let first = try user.run("pull", "\(h)/base:v1")
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.lines.first == "v1: Pulling from base")
            #expect(first.lines.filter { $0.hasSuffix(": Pull complete") }.count == 1)
            #expect(first.lines.contains { $0.hasPrefix("Digest: sha256:") })
            #expect(first.lines.contains("Status: Downloaded newer image for \(h)/base:v1"))
            #expect(first.lines.last == "\(h)/base:v1")

            let second = try user.run("pull", "\(h)/derived:v1")
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.lines.filter { $0.hasSuffix(": Already exists") }.count == 1, "\(second.stdout)")
            #expect(second.lines.filter { $0.hasSuffix(": Pull complete") }.count == 1, "\(second.stdout)")
            #expect(layerCount(berth) == 2)

            let again = try user.run("pull", "\(h)/base:v1")
            #expect(again.lines.contains("Status: Image is up to date for \(h)/base:v1"), "\(again.stdout)")
            let digests = try user.run("image", "inspect", "-f", "{{json .RepoDigests}}", "\(h)/base:v1").trimmed
            #expect(digests.contains("\(h)/base@sha256:"), "\(digests)")

            #expect(try user.run("images", "-q").lines.count == 2)
            let rmi = try user.run("rmi", "\(h)/base:v1")
            #expect(rmi.status == 0, "\(rmi.stderr)")
            #expect(layerCount(berth) == 2)  // the base layer is still derived's bottom layer
            let out = try user.run("run", "--rm", "\(h)/derived:v1", "cat", "/marker")
            #expect(out.trimmed == "derived-layer", "\(out.stderr)")

            let logout = try user.run("logout", h)
            #expect(logout.trimmed == "Removing login credentials for \(h)")
            #expect(try !String(contentsOfFile: user.authFile, encoding: .utf8).contains("\"\(h)\""))
            #expect(try user.run("logout", h).trimmed == "Not logged in to \(h)")
        }
    }

    @Test("Docker's errors: unknown repository, unknown tag, bad reference, registry down; run pulls; zstd layers")
    func errorsAndRun() throws {
        let registry = try Registry()
        defer { registry.stop() }
        try withTemporaryStateRoot { berth in
            let images = try PushedImages.make(in: berth.paths.root + "/..")
            try registry.push(archive: images.base, as: "base:v1")
            try registry.push(archive: images.derived, as: "zstd:v1", compress: "zstd")
            let user = try RegistryUser(berth)
            let h = registry.host

            let repo = try user.run("pull", "\(h)/nosuch")
            #expect(repo.status == 1)
            #expect(repo.stdout == "Using default tag: latest\n")
            // distribution 2.8 answers MANIFEST_UNKNOWN for a repository it never saw (Docker Hub says DENIED).
            #expect(repo.stderr == "Error response from daemon: manifest for \(h)/nosuch:latest not found: manifest unknown: manifest unknown\n")

            let tag = try user.run("pull", "\(h)/base:nope")
            #expect(tag.status == 1)
            #expect(tag.stderr == "Error response from daemon: manifest for \(h)/base:nope not found: manifest unknown: manifest unknown\n")

            let bad = try user.run("pull", "a::b")
            #expect(bad.status == 1)
            #expect(bad.stderr == "invalid reference format\n")

            let port = try Registry.freePort()
            let down = try user.run("pull", "127.0.0.1:\(port)/base:v1")
            #expect(down.status == 1)
            #expect(down.stderr == "Error response from daemon: Get \"http://127.0.0.1:\(port)/v2/\": dial tcp 127.0.0.1:\(port): connect: connection refused\n")

            let zstd = try user.run("pull", "\(h)/zstd:v1")
            #expect(zstd.status == 0, "\(zstd.stderr)")
            #expect(try user.run("run", "--rm", "\(h)/zstd:v1", "cat", "/marker").trimmed == "derived-layer")

            let run = try user.run("run", "--rm", "\(h)/base:v1", "echo", "pulled-and-ran")
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.trimmed == "pulled-and-ran")
            #expect(run.stderr.hasPrefix("Unable to find image '\(h)/base:v1' locally\nv1: Pulling from base\n"), "\(run.stderr)")
            #expect(run.stderr.contains("Status: Downloaded newer image for \(h)/base:v1"))

            let missing = try user.run("run", "--rm", "\(h)/nosuch:v1")
            #expect(missing.status == 125)
            #expect(missing.stderr.contains("Unable to find image '\(h)/nosuch:v1' locally"))
            #expect(missing.stderr.contains("Error response from daemon: manifest for \(h)/nosuch:v1 not found"))
        }
    }

    @Test("Bearer token flow through a token server; no Authorization on a redirect to another host")
    func bearerTokenAndRedirect() throws {
        let registry = try Registry()
        defer { registry.stop() }
        let tokens = try TokenServer(registry: registry, user: "berth", password: "t0ken")
        defer { tokens.stop() }
        // 127.0.0.2 is another host to the client (and still loopback, so plain HTTP is allowed).
        let registryPort = registry.port
        let cdn = try TestHTTPServer(address: "127.0.0.2") { _ in .forward(port: registryPort) }
        defer { cdn.stop() }
        try withTemporaryStateRoot { berth in
            let images = try PushedImages.make(in: berth.paths.root + "/..")
            try registry.push(archive: images.base, as: "base:v1")
            let user = try RegistryUser(berth)
            let h = tokens.host

            let wrong = try user.run("login", "-u", "berth", "-p", "wrong", h)
            #expect(wrong.status == 1)
            #expect(wrong.stderr.contains("unauthorized: incorrect username or password"), "\(wrong.stderr)")
            #expect(try user.run("login", "-u", "berth", "-p", "t0ken", h).status == 0)

            tokens.redirectBlobs(to: cdn.url)
            let pull = try user.run("pull", "\(h)/base:v1")
            #expect(pull.status == 0, "\(pull.stderr)")
            let tokenRequests = tokens.server.requests.filter { $0.path.hasPrefix("/token") }
            #expect(tokenRequests.contains { $0.path.contains("scope=repository:base:pull") || $0.path.contains("scope=repository%3Abase%3Apull") })
            #expect(tokens.server.requests.contains { $0.path.contains("/manifests/") && $0.headers["authorization"]?.hasPrefix("Bearer ") == true })
            let blobs = cdn.requests.filter { $0.path.contains("/blobs/") }
            #expect(blobs.count >= 2)  // config and layer
            #expect(blobs.allSatisfy { $0.headers["authorization"] == nil })
        }
    }

    @Test("a blob that fails its digest: the pull fails, the store is as it was, a good registry then works")
    func digestMismatch() throws {
        let registry = try Registry()
        defer { registry.stop() }
        // Flips the last byte of every large blob (the layer, not the config).
        let corrupt: @Sendable ([UInt8]) -> [UInt8] = { response in
            let (head, original) = TestHTTPServer.split(response)
            var body = original
            if body.count > 10_000 { body[body.count - 1] ^= 0xff }
            return head + body
        }
        let registryPort = registry.port
        let evil = try TestHTTPServer { (request: TestHTTPServer.Request) -> TestHTTPServer.Reply in
            .forward(port: registryPort, transform: request.path.contains("/blobs/") ? corrupt : nil)
        }
        defer { evil.stop() }
        try withTemporaryStateRoot { berth in
            let images = try PushedImages.make(in: berth.paths.root + "/..")
            try registry.push(archive: images.base, as: "base:v1")
            let user = try RegistryUser(berth)

            let bad = try user.run("pull", "127.0.0.1:\(evil.port)/base:v1")
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("digest mismatch"), "\(bad.stderr)")
            #expect(layerCount(berth) == 0)
            #expect(try user.run("images", "-q").trimmed.isEmpty)
            #expect(pullStaging(berth).isEmpty)
            let overlay = (try? FileManager.default.contentsOfDirectory(atPath: berth.paths.root + "/overlay2")) ?? []
            #expect(overlay.filter { $0 != "l" }.isEmpty, "\(overlay)")

            let good = try user.run("pull", "\(registry.host)/base:v1")
            #expect(good.status == 0, "\(good.stderr)")
            #expect(layerCount(berth) == 1)
        }
    }

    @Test("kill -9 in the middle of a download: the next pull completes, no orphan layer")
    func interruptedPull() throws {
        let registry = try Registry()
        defer { registry.stop() }
        let stalling = LockedBox(true)
        let registryPort = registry.port
        let proxy = try TestHTTPServer { _ in
            stalling.value ? .stall(port: registryPort, ifBodyOver: 10_000) : .forward(port: registryPort)
        }
        defer { proxy.stop() }
        try withTemporaryStateRoot { berth in
            let images = try PushedImages.make(in: berth.paths.root + "/..")
            try registry.push(archive: images.derived, as: "derived:v1")
            let user = try RegistryUser(berth)
            let name = "127.0.0.1:\(proxy.port)/derived:v1"

            let (pid, inFD, outFD, errFD) = try user.spawn("pull", name)
            let stalled = proxy.waitForStall(timeout: 30)
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            [inFD, outFD, errFD].forEach { close($0) }
            #expect(stalled, "the pull never reached the layer download")
            #expect(status & 0x7f == SIGKILL)
            #expect(try user.run("images", "-q").trimmed.isEmpty)

            stalling.value = false
            let retry = try user.run("pull", name)
            #expect(retry.status == 0, "\(retry.stderr)")
            #expect(try user.run("images", "-q").lines.count == 1)
            #expect(layerCount(berth) == 2)  // exactly the image's two layers
            #expect(pullStaging(berth).isEmpty)
            let df = try user.run("system", "df").lines
            #expect(df.contains { $0.hasPrefix("Images          1 ") }, "\(df)")
            #expect(try user.run("run", "--rm", name, "cat", "/marker").trimmed == "derived-layer")
        }
    }
}
