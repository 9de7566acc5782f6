#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// The registry part of `/etc/berth/config.json`, spelled like Docker's `daemon.json`:
///
///     {"registry-mirrors": ["http://127.0.0.1:5001"], "insecure-registries": ["myreg:5000", "10.0.0.0/8"]}
///
/// Mirrors are tried first for Docker Hub images only, as Docker does. A secure registry is
/// spoken to over verified https only; an insecure one (loopback, as Docker treats
/// 127.0.0.0/8 and ::1, or listed) over unverified https first, then plain http.
package struct RegistryConfig: Codable, Equatable, Sendable {
    package var registryMirrors: [String]
    package var insecureRegistries: [String]
    /// Seconds a connect, read or write may take before the pull fails (berth's own key).
    package var timeout: Double?
    /// Docker's `/etc/docker/certs.d`: `certs.d/` beside the config file, one `host:port`
    /// directory per registry. Not a key of the file.
    package var certsDirectory: String?

    package static let defaultPath = "/etc/berth/config.json"
    /// Where Docker Hub's v2 API lives, and the key `docker login` stores its credentials under.
    package static let hubHost = "registry-1.docker.io"
    package static let hubAuthKey = "https://index.docker.io/v1/"

    package init(
        registryMirrors: [String] = [], insecureRegistries: [String] = [], timeout: Double? = nil, certsDirectory: String? = nil
    ) {
        self.registryMirrors = registryMirrors
        self.insecureRegistries = insecureRegistries
        self.timeout = timeout
        self.certsDirectory = certsDirectory
    }

    enum CodingKeys: String, CodingKey {
        case registryMirrors = "registry-mirrors", insecureRegistries = "insecure-registries", timeout = "registry-timeout"
    }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        registryMirrors = try c.decodeIfPresent([String].self, forKey: .registryMirrors) ?? []
        insecureRegistries = try c.decodeIfPresent([String].self, forKey: .insecureRegistries) ?? []
        timeout = try c.decodeIfPresent(Double.self, forKey: .timeout)
    }

    /// Reads `path`; a missing file is the empty config, a malformed one an error. Either
    /// way certificates are looked for in `certs.d/` beside it.
    package static func load(path: String) throws(BerthError) -> RegistryConfig {
        let certs = (path as NSString).deletingLastPathComponent + "/certs.d"
        guard let data = FileManager.default.contents(atPath: path) else { return RegistryConfig(certsDirectory: certs) }
        do {
            var config = try JSONDecoder().decode(RegistryConfig.self, from: data)
            config.certsDirectory = certs
            return config
        } catch {
            throw .badClientConfig(path, "\(error)")
        }
    }

    /// The host that serves `domain`'s v2 API (`docker.io` → `registry-1.docker.io`).
    package static func apiHost(_ domain: String) -> String {
        domain == ImageReference.defaultDomain ? hubHost : domain
    }

    /// Whether `host` (`host[:port]`) may be spoken to over plain HTTP.
    package func isInsecure(_ host: String) -> Bool {
        let bare = RegistryConfig.stripPort(host)
        if RegistryConfig.isLoopback(bare) { return true }
        for entry in insecureRegistries {
            let e = entry.replacingOccurrences(of: "http://", with: "").replacingOccurrences(of: "https://", with: "")
            if e == host || e == bare { return true }
            if e.contains("/"), RegistryConfig.cidr(e, contains: bare) { return true }
        }
        return false
    }

    /// Where to try `domain`, in order (moby's `lookupV2Endpoints`): mirrors (Docker Hub
    /// only), then the registry: https verified when it is secure; https unverified, then
    /// plain http, when it is insecure.
    package func endpoints(for domain: String) -> [RegistryEndpoint] {
        var out: [RegistryEndpoint] = []
        if domain == ImageReference.defaultDomain {
            for m in registryMirrors {
                let text = m.contains("://") ? m : "https://" + m
                guard let u = URL(string: text.hasSuffix("/") ? String(text.dropLast()) : text), let host = u.host else { continue }
                let hostPort = u.port.map { "\(host):\($0)" } ?? host
                out.append(RegistryEndpoint(url: u, host: hostPort, verifyTLS: !isInsecure(hostPort)))
            }
        }
        let host = RegistryConfig.apiHost(domain)
        guard let https = URL(string: "https://" + host), let http = URL(string: "http://" + host) else { return out }
        if isInsecure(host) {
            out.append(RegistryEndpoint(url: https, host: host, verifyTLS: false))
            out.append(RegistryEndpoint(url: http, host: host, verifyTLS: false))
        } else {
            out.append(RegistryEndpoint(url: https, host: host, verifyTLS: true))
        }
        return out
    }

    /// The TLS settings for `endpoint`: its verification and its `certs.d/<host>` directory.
    package func tls(for endpoint: RegistryEndpoint) throws(BerthError) -> TLSConfiguration {
        try TLSConfiguration(verify: endpoint.verifyTLS, certsDirectory: certsDirectory.map { $0 + "/" + endpoint.host })
    }

    static func stripPort(_ host: String) -> String {
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            return String(host[host.index(after: host.startIndex)..<close])
        }
        if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") { return String(host[..<colon]) }
        return host
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        return ipv4(host).map { $0 >> 24 == 127 } ?? false
    }

    static func ipv4(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for p in parts {
            guard let b = UInt8(p) else { return nil }
            value = value << 8 | UInt32(b)
        }
        return value
    }

    static func cidr(_ cidr: String, contains host: String) -> Bool {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let net = ipv4(String(parts[0])), let bits = Int(parts[1]), (0...32).contains(bits),
            let ip = ipv4(host)
        else { return false }
        let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
        return ip & mask == net & mask
    }
}
