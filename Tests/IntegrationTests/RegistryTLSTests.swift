import BerthCore
import BerthTestSupport
import Foundation
import Testing

/// A registry user whose config trusts nothing yet: `trust(ca, for:)` drops the CA into
/// `certs.d/<host:port>/ca.crt` beside `$BERTH_CONFIG`, as /etc/docker/certs.d works.
extension RegistryUser {
    var certsDirectory: String { home + "/certs.d" }

    func trust(_ ca: TestCertificateAuthority, for host: String) throws {
        let dir = certsDirectory + "/" + host
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: dir + "/ca.crt")
        try FileManager.default.copyItem(atPath: ca.certificate, toPath: dir + "/ca.crt")
    }

    func writeConfig(_ json: String) throws {
        try json.write(toFile: home + "/config.json", atomically: true, encoding: .utf8)
    }
}

@Suite(
    .tags(.root),
    .enabled(
        if: isRoot && Registry.available && TestCertificateAuthority.available && TestNetworkNamespace.available,
        "needs root, docker-registry, skopeo, openssl and ip"))
struct RegistryTLSTests {
    @Test("secure registry (not loopback): login and pull over https verified against certs.d; Docker's x509 errors; no TLS server refused")
    func secureRegistry() throws {
        let netns = try TestNetworkNamespace()
        defer { netns.remove() }
        try withTemporaryStateRoot { berth in
            let scratch = berth.paths.root + "/.."
            let ca = try TestCertificateAuthority(dir: scratch + "/pki")
            let good = try ca.issue("good", ips: [netns.address])
            let other = try ca.issue("other", ips: ["198.18.\(netns.index).9"])
            let registry = try Registry(credentials: ("berth", "s3cret"), address: netns.address, tls: good, namespace: netns)
            defer { registry.stop() }
            let misnamed = try Registry(address: netns.address, tls: other, namespace: netns)
            defer { misnamed.stop() }
            let plain = try Registry(address: netns.address, namespace: netns)
            defer { plain.stop() }

            let images = try PushedImages.make(in: scratch)
            try registry.push(archive: images.base, as: "base:v1")
            try plain.push(archive: images.base, as: "base:v1")
            let user = try RegistryUser(berth)
            let h = registry.host

            // No CA: the system store does not know it.
            let refusedLogin = try user.run("login", "-u", "berth", "--password-stdin", h, input: "s3cret\n")
            #expect(refusedLogin.status == 1)
            #expect(refusedLogin.stderr == "Error response from daemon: Get \"https://\(h)/v2/\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n")
            #expect(!FileManager.default.fileExists(atPath: user.authFile))
            let untrusted = try user.run("pull", "\(h)/base:v1")
            #expect(untrusted.status == 1)
            #expect(untrusted.stderr == "Error response from daemon: Get \"https://\(h)/v2/\": tls: failed to verify certificate: x509: certificate signed by unknown authority\n")
            #expect(try user.run("images", "-q").trimmed.isEmpty)
            #expect(layerCount(berth) == 0)
            #expect(pullStaging(berth).isEmpty)

            try user.trust(ca, for: h)
            let login = try user.run("login", "-u", "berth", "--password-stdin", h, input: "s3cret\n")
            #expect(login.status == 0, "\(login.stderr)")
            #expect(login.trimmed == "Login Succeeded")
            let pulled = try user.run("pull", "\(h)/base:v1")
            #expect(pulled.status == 0, "\(pulled.stderr)")
            #expect(pulled.lines.contains("Status: Downloaded newer image for \(h)/base:v1"), "\(pulled.stdout)")
            let id = try user.run("image", "inspect", "-f", "{{.Id}}", "\(h)/base:v1").trimmed
            #expect(!images.baseID.isEmpty)
            #expect(id == images.baseID)
            #expect(layerCount(berth) == 1)

            // Trusted CA, certificate for another address.
            try user.trust(ca, for: misnamed.host)
            let wrongName = try user.run("pull", "\(misnamed.host)/base:v1")
            #expect(wrongName.status == 1)
            #expect(wrongName.stderr == "Error response from daemon: Get \"https://\(misnamed.host)/v2/\": tls: failed to verify certificate: x509: certificate is valid for 198.18.\(netns.index).9, not \(netns.address)\n")
            #expect(try user.run("images", "-q").lines.count == 1)
            #expect(layerCount(berth) == 1)

            // A secure registry is never asked over plain http.
            let noTLS = try user.run("pull", "\(plain.host)/base:v1")
            #expect(noTLS.status == 1)
            #expect(noTLS.stderr == "Error response from daemon: Get \"https://\(plain.host)/v2/\": http: server gave HTTP response to HTTPS client\n")

            // Listed under insecure-registries: https unverified first, then plain http.
            try user.writeConfig(#"{"insecure-registries": ["\#(plain.host)", "\#(misnamed.host)"]}"#)
            let insecure = try user.run("pull", "\(plain.host)/base:v1")
            #expect(insecure.status == 0, "\(insecure.stderr)")
            #expect(try user.run("image", "inspect", "-f", "{{.Id}}", "\(plain.host)/base:v1").trimmed == images.baseID)
            let unverified = try user.run("pull", "\(misnamed.host)/nosuch:v1")
            #expect(unverified.stderr == "Error response from daemon: manifest for \(misnamed.host)/nosuch:v1 not found: manifest unknown: manifest unknown\n")

            // A registry that wants a client certificate: certs.d's client.cert/client.key.
            let mtls = try Registry(address: netns.address, tls: good, clientCA: ca.certificate, namespace: netns)
            defer { mtls.stop() }
            try user.trust(ca, for: mtls.host)
            let anonymous = try user.run("pull", "\(mtls.host)/base:v1")
            #expect(anonymous.status == 1)
            // distribution 2.8's Go answers a missing client certificate with a bad_certificate alert.
            #expect(anonymous.stderr == "Error response from daemon: Get \"https://\(mtls.host)/v2/\": remote error: tls: bad certificate\n")
            let client = try ca.issue("client", ips: [netns.hostAddress])
            try FileManager.default.copyItem(atPath: client.certificate, toPath: user.certsDirectory + "/" + mtls.host + "/client.cert")
            try FileManager.default.copyItem(atPath: client.key, toPath: user.certsDirectory + "/" + mtls.host + "/client.key")
            let presented = try user.run("pull", "\(mtls.host)/base:v1")
            #expect(presented.stderr == "Error response from daemon: manifest for \(mtls.host)/base:v1 not found: manifest unknown: manifest unknown\n")

            // Docker's certs.d rule: a client certificate needs its key.
            try "".write(toFile: user.certsDirectory + "/" + h + "/client.cert", atomically: true, encoding: .utf8)
            let halfPair = try user.run("pull", "\(h)/base:v1")
            #expect(halfPair.status == 1)
            #expect(halfPair.stderr == "Error response from daemon: missing key client.key for client certificate client.cert. CA certificates must use the extension .crt\n")
        }
    }

    @Test("loopback registry: TLS with an untrusted certificate works unverified; plain http still works; https redirects")
    func loopbackInsecure() throws {
        try withTemporaryStateRoot { berth in
            let scratch = berth.paths.root + "/.."
            let ca = try TestCertificateAuthority(dir: scratch + "/pki")
            // Issued for another name on purpose: an insecure registry is not verified at all.
            let cert = try ca.issue("loopback", ips: ["10.0.0.1"])
            let tls = try Registry(tls: cert)
            defer { tls.stop() }
            let plain = try Registry()
            defer { plain.stop() }
            // The blob "CDN": a TLS registry on another loopback address holding the same image.
            let cdn = try Registry(address: "127.0.0.2", tls: cert)
            defer { cdn.stop() }
            let tokens = try TokenServer(registry: plain, user: "berth", password: "t0ken")
            defer { tokens.stop() }

            let images = try PushedImages.make(in: scratch)
            for r in [tls, plain, cdn] { try r.push(archive: images.base, as: "base:v1") }
            let user = try RegistryUser(berth)

            let overTLS = try user.run("pull", "\(tls.host)/base:v1")
            #expect(overTLS.status == 0, "\(overTLS.stderr)")
            #expect(try user.run("image", "inspect", "-f", "{{.Id}}", "\(tls.host)/base:v1").trimmed == images.baseID)

            let overHTTP = try user.run("pull", "\(plain.host)/base:v1")
            #expect(overHTTP.status == 0, "\(overHTTP.stderr)")
            #expect(try user.run("image", "inspect", "-f", "{{.Id}}", "\(plain.host)/base:v1").trimmed == images.baseID)

            // Blobs redirected to https on another host: downloaded there, no Authorization sent.
            #expect(try user.run("login", "-u", "berth", "-p", "t0ken", tokens.host).status == 0)
            tokens.redirectBlobs(to: "https://\(cdn.host)")
            #expect(try user.run("rmi", "\(tls.host)/base:v1", "\(plain.host)/base:v1").status == 0)
            let redirected = try user.run("pull", "\(tokens.host)/base:v1")
            #expect(redirected.status == 0, "\(redirected.stderr)")
            #expect(try user.run("image", "inspect", "-f", "{{.Id}}", "\(tokens.host)/base:v1").trimmed == images.baseID)
            let blobRequests = tokens.server.requests.filter { $0.path.contains("/blobs/") }
            #expect(blobRequests.count >= 2, "config and layer were asked of the token server first")
            #expect(blobRequests.allSatisfy { $0.headers["authorization"]?.hasPrefix("Bearer ") == true })
        }
    }
}
