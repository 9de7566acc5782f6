import BerthCore
import Testing

@testable import BerthImages

struct ReferenceTests {
    static let hex = String(repeating: "ab", count: 32)

    static let good: [(String, String, String)] = [
        ("busybox", "docker.io/library/busybox:latest", "busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36"),
        ("library/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
        ("docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
        ("index.docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest"),
        ("docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"),
        ("someone/app", "docker.io/someone/app:latest", "someone/app:latest"),
        ("library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest"),
        ("localhost/web:v1", "localhost/web:v1", "localhost/web:v1"),
        ("localhost:5000/web", "localhost:5000/web:latest", "localhost:5000/web:latest"),
        ("registry.example.com:443/a/b/c:1.0-rc_1", "registry.example.com:443/a/b/c:1.0-rc_1", "registry.example.com:443/a/b/c:1.0-rc_1"),
        ("Registry.Example.com/x", "Registry.Example.com/x:latest", "Registry.Example.com/x:latest"),
        ("[::1]:5000/x", "[::1]:5000/x:latest", "[::1]:5000/x:latest"),
        ("a__b/c-d--e.f_g:TAG_1.x", "docker.io/a__b/c-d--e.f_g:TAG_1.x", "a__b/c-d--e.f_g:TAG_1.x"),
        ("busybox@sha256:\(hex)", "docker.io/library/busybox@sha256:\(hex)", "busybox@sha256:\(hex)"),
        ("busybox:1@sha256:\(hex)", "docker.io/library/busybox:1@sha256:\(hex)", "busybox:1@sha256:\(hex)"),
    ]

    @Test("references normalise like Docker's", arguments: good)
    func normalises(input: String, canonical: String, familiar: String) throws {
        let r = try ImageReference(parsing: input)
        #expect(r.canonical == canonical)
        #expect(r.familiar == familiar)
    }

    static let bad: [(String, String)] = [
        ("UPPER", "invalid reference format: repository name (library/UPPER) must be lowercase"),
        ("UPPER:case", "invalid reference format: repository name (library/UPPER) must be lowercase"),
        ("someone/App", "invalid reference format: repository name (someone/App) must be lowercase"),
        ("a::b", "invalid reference format"),
        ("", "invalid reference format"),
        (":tag", "invalid reference format"),
        ("busybox:", "invalid reference format"),
        ("-busybox", "invalid reference format"),
        ("busybox-", "invalid reference format"),
        ("busybox/", "invalid reference format"),
        ("a..b", "invalid reference format"),
        ("a/b:tag/x", "invalid reference format"),
        ("busy box", "invalid reference format"),
        ("busybox:" + String(repeating: "t", count: 129), "invalid reference format"),
        ("busybox@sha256:abc", "invalid reference format"),
        ("busybox@sha256:" + String(repeating: "a", count: 40), "invalid checksum digest length"),
        ("busybox@sha256:" + String(repeating: "A", count: 64), "invalid checksum digest format"),
        ("busybox@md5:" + String(repeating: "a", count: 32), "unsupported digest algorithm"),
        (hex, "invalid repository name (\(hex)), cannot specify 64-byte hexadecimal strings"),
        (String(repeating: "a", count: 256), "invalid reference format: repository name must not be more than 255 characters"),
    ]

    @Test("bad references fail with Docker's words", arguments: bad)
    func rejects(input: String, message: String) {
        #expect(throws: BerthError(message: message, exitCode: 125)) { try ImageReference(parsing: input) }
    }

    @Test("the lowercase error is the BerthError.invalidReference factory")
    func factory() {
        #expect(throws: BerthError.invalidReference("repository name (library/UPPER) must be lowercase")) {
            try ImageReference(parsing: "UPPER")
        }
        #expect(throws: BerthError.invalidReferenceFormat) { try ImageReference(parsing: "a::b") }
    }

    static let digestTable: [(String, Bool)] = [
        ("sha256:" + hex, true), ("sha256:" + hex.uppercased(), false), ("sha256:" + String(hex.dropLast(2)), false),
        (hex, false), ("sha512:" + hex, false), ("", false), ("sha256:", false),
    ]

    @Test("digests parse, print and shorten", arguments: digestTable)
    func digests(text: String, valid: Bool) {
        let d = try? Digest(parsing: text)
        #expect((d != nil) == valid)
        if let d {
            #expect(d.string == text)
            #expect(d.short == String(ReferenceTests.hex.prefix(12)))
            #expect(d.description == text)
        }
    }

    @Test("sha256 and ChainIDs are computed as Docker does")
    func chainIDs() {
        // sha256("") is well known.
        #expect(Digest.sha256(of: "").hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let a = Digest.sha256(of: "a")
        let b = Digest.sha256(of: "b")
        let chain = Digest.chainIDs([a, b])
        #expect(chain[0] == a)
        #expect(chain[1] == Digest.sha256(of: a.string + " " + b.string))
        #expect(Digest.chainIDs([]) == [])
    }

    @Test("seed images are named by their usual references", arguments: [
        ("busybox", SeedImage.busybox), ("busybox:latest", .busybox), ("docker.io/library/busybox:latest", .busybox),
        ("library/busybox", .busybox), ("busybox:1.36", nil), ("busybox@sha256:\(hex)", nil), ("debian", nil),
        ("BUSYBOX", nil), ("someone/busybox", nil),
    ])
    func seedNames(ref: String, seed: SeedImage?) {
        #expect(SeedImage(reference: ref) == seed)
    }
}
