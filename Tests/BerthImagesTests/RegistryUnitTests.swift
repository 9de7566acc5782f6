import BerthCore
import Foundation
import Testing

@testable import BerthImages

/// The registry client's parsing and policy, without a network.
struct RegistryUnitTests {
    @Test("WWW-Authenticate challenges: Bearer with quoted commas, Basic")
    func challenges() throws {
        let bearer = try #require(AuthChallenge(
            header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push""#))
        #expect(bearer.scheme == "bearer")
        #expect(bearer.parameters == [
            "realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:a/b:pull,push",
        ])
        let basic = try #require(AuthChallenge(header: #"Basic realm="berth-test""#))
        #expect(basic.scheme == "basic")
        #expect(basic.parameters["realm"] == "berth-test")
    }

    @Test("verified https for secure registries; unverified https then http for loopback and listed ones; mirrors only for Docker Hub")
    func insecurePolicy() {
        let config = RegistryConfig(registryMirrors: ["http://127.0.0.1:5001"], insecureRegistries: ["myreg:5000", "10.1.0.0/16"])
        #expect(config.isInsecure("127.0.0.1:5000"))
        #expect(config.isInsecure("localhost:5000"))
        #expect(config.isInsecure("myreg:5000"))
        #expect(config.isInsecure("10.1.2.3:5000"))
        #expect(!config.isInsecure("10.2.0.1:5000"))
        #expect(!config.isInsecure("registry.example.com"))
        func described(_ domain: String) -> [String] {
            config.endpoints(for: domain).map { "\($0.url.absoluteString) \($0.host) \($0.verifyTLS ? "verify" : "insecure")" }
        }
        #expect(described("docker.io") == [
            "http://127.0.0.1:5001 127.0.0.1:5001 insecure", "https://registry-1.docker.io registry-1.docker.io verify",
        ])
        #expect(described("myreg:5000") == ["https://myreg:5000 myreg:5000 insecure", "http://myreg:5000 myreg:5000 insecure"])
        #expect(described("ghcr.io") == ["https://ghcr.io ghcr.io verify"])
        #expect(described("[::1]:5000").first?.hasSuffix("insecure") == true)
    }

    @Test("certs.d like Docker's: a missing directory is fine, a half client pair is refused, certs.d sits beside the config")
    func certsDirectory() throws {
        let dir = NSTemporaryDirectory() + "berth-certs-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try TLSConfiguration(verify: true, certsDirectory: dir + "/nosuch:5000")
        try FileManager.default.createDirectory(atPath: dir + "/h:1", withIntermediateDirectories: true)
        try "not a certificate".write(toFile: dir + "/h:1/ca.crt", atomically: true, encoding: .utf8)
        _ = try TLSConfiguration(verify: true, certsDirectory: dir + "/h:1")  // Go's AppendCertsFromPEM skips it too
        try "".write(toFile: dir + "/h:1/client.key", atomically: true, encoding: .utf8)
        #expect(throws: BerthError.daemon("missing client certificate client.cert for key client.key")) {
            try TLSConfiguration(verify: true, certsDirectory: dir + "/h:1")
        }
        try "".write(toFile: dir + "/h:1/client.cert", atomically: true, encoding: .utf8)
        #expect(throws: BerthError.daemon("tls: failed to find any PEM data in certificate input")) {
            try TLSConfiguration(verify: false, certsDirectory: dir + "/h:1")
        }
        #expect(try RegistryConfig.load(path: dir + "/config.json").certsDirectory == dir + "/certs.d")
    }

    @Test("an index gives the host platform's manifest, or the asked variant")
    func platformChoice() {
        func entry(_ os: String, _ arch: String, _ variant: String? = nil, _ n: Int) -> Descriptor {
            var d = Descriptor(mediaType: MediaType.ociManifest, digest: Digest(hex: String(repeating: String(n), count: 64))!, size: 1)
            d.platform = Platform(architecture: arch, os: os, variant: variant)
            return d
        }
        let list = [entry("linux", "arm", "v6", 1), entry("linux", "arm", "v7", 2), entry("linux", "amd64", nil, 3), entry("windows", "amd64", nil, 4)]
        #expect(ImageStore.pickPlatform(list, Platform(architecture: "amd64", os: "linux"))?.digest.hasPrefix("sha256:3") == true)
        #expect(ImageStore.pickPlatform(list, Platform(architecture: "arm", os: "linux", variant: "v7"))?.digest.hasPrefix("sha256:2") == true)
        #expect(ImageStore.pickPlatform(list, Platform(architecture: "s390x", os: "linux")) == nil)
    }

    @Test("registry errors become Docker's sentences")
    func errorWords() throws {
        let url = URL(string: "http://127.0.0.1:5000/v2/app/manifests/v9")!
        let ref = try ImageReference(parsing: "127.0.0.1:5000/app:v9")
        let unknown = RegistryFailure(
            method: "GET", url: url, status: 404,
            body: Data(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8))
        #expect(unknown.pullError(ref).message == "Error response from daemon: manifest for 127.0.0.1:5000/app:v9 not found: manifest unknown: manifest unknown")
        let denied = RegistryFailure(method: "GET", url: url, status: 401, body: Data(#"{"details":"incorrect username or password"}"#.utf8))
        #expect(denied.pullError(ref).message == "Error response from daemon: Get \"\(url)\": unauthorized: incorrect username or password")
    }

    @Test("progress bars and sizes look like Docker's")
    func progressText() {
        #expect(HumanSize.string(18_250_000, precision: 4) == "18.25MB")
        #expect(HumanSize.string(512, precision: 4) == "512B")
        #expect(HumanSize.string(1_999_999_999, precision: 3) == "2GB")  // images and history: 3 digits
        #expect(HumanSize.string(126_300_000, precision: 3) == "126MB")
        #expect(PullProgress.bar(current: 25, total: 100) == "[============>                                     ]  25B/100B")
    }

    @Test("auth.json is written 0600 and read back; logout forgets")
    func authFile() throws {
        let dir = NSTemporaryDirectory() + "berth-auth-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let auth = AuthConfig(path: dir + "/.config/berth/auth.json")
        try auth.store(Credentials(username: "u", password: "p:w"), for: "127.0.0.1:5000")
        try auth.store(Credentials(username: "hub", password: "x"), for: "docker.io")
        #expect(try auth.credentials(for: "127.0.0.1:5000") == Credentials(username: "u", password: "p:w"))
        let attrs = try FileManager.default.attributesOfItem(atPath: auth.path)
        #expect(attrs[.posixPermissions] as? Int == 0o600)
        let text = try String(contentsOfFile: auth.path, encoding: .utf8)
        #expect(text.contains("\"https://index.docker.io/v1/\""))
        #expect(try auth.remove("127.0.0.1:5000"))
        #expect(try !auth.remove("127.0.0.1:5000"))
        #expect(try auth.credentials(for: "127.0.0.1:5000") == nil)
    }
}
