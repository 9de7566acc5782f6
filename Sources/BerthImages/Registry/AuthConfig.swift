#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// A user name and password for one registry.
package struct Credentials: Equatable, Sendable {
    package var username: String
    package var password: String

    package init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `Basic base64(user:password)`.
    package var basicAuthorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}

/// `~/.config/berth/auth.json`, the `auths` part of Docker's `~/.docker/config.json`:
///
///     {"auths": {"127.0.0.1:5000": {"auth": "dXNlcjpwYXNz"}}}
///
/// Written 0600 in a 0700 directory, whole (temp + fsync + rename), since it holds passwords.
package struct AuthConfig: Sendable {
    package let path: String

    package init(path: String) {
        self.path = path
    }

    /// `$HOME/.config/berth/auth.json`.
    package static func defaultPath(home: String) -> String {
        home + "/.config/berth/auth.json"
    }

    struct File: Codable {
        var auths: [String: Entry]
        enum CodingKeys: String, CodingKey { case auths }
    }

    struct Entry: Codable {
        var auth: String
        enum CodingKeys: String, CodingKey { case auth }
    }

    /// The key a registry's credentials are stored under: Docker Hub's v1 URL, else `host[:port]`.
    package static func key(for domain: String) -> String {
        domain == ImageReference.defaultDomain || domain == RegistryConfig.hubHost || domain == "index.docker.io"
            ? RegistryConfig.hubAuthKey : domain
    }

    /// The stored credentials for `domain`, or nil.
    package func credentials(for domain: String) throws(BerthError) -> Credentials? {
        guard let entry = try read().auths[AuthConfig.key(for: domain)],
            let decoded = Data(base64Encoded: entry.auth).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        return Credentials(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
    }

    package func store(_ credentials: Credentials, for domain: String) throws(BerthError) {
        var file = try read()
        let raw = Data("\(credentials.username):\(credentials.password)".utf8).base64EncodedString()
        file.auths[AuthConfig.key(for: domain)] = Entry(auth: raw)
        try write(file)
    }

    /// Forgets `domain`; returns false when nothing was stored for it.
    package func remove(_ domain: String) throws(BerthError) -> Bool {
        var file = try read()
        guard file.auths.removeValue(forKey: AuthConfig.key(for: domain)) != nil else { return false }
        try write(file)
        return true
    }

    func read() throws(BerthError) -> File {
        guard let data = FileManager.default.contents(atPath: path) else { return File(auths: [:]) }
        do {
            return try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw .badClientConfig(path, "\(error)")
        }
    }

    func write(_ file: File) throws(BerthError) {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try ensureDirectory(dir, mode: 0o700)
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try AtomicFile.write(enc.encode(file), to: path, mode: 0o600)
        } catch {
            throw .internalError("cannot write \(path)", detail: "\(error)")
        }
    }
}
