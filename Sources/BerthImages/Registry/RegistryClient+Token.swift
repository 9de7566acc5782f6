import BerthCore
import Foundation

/// One `WWW-Authenticate` challenge: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
package struct AuthChallenge: Equatable, Sendable {
    package var scheme: String
    package var parameters: [String: String]

    /// Parses the header; nil when it names no scheme.
    package init?(header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        scheme = trimmed[..<space].lowercased()
        parameters = AuthChallenge.parameters(String(trimmed[space...]))
    }

    /// `k="v", k2=v2`: quoted values may hold commas and `\"`.
    static func parameters(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var chars = Array(text)[...]
        func skip(_ set: Set<Character>) { while let c = chars.first, set.contains(c) { chars = chars.dropFirst() } }
        while true {
            skip([" ", ","])
            guard !chars.isEmpty else { return out }
            var key = ""
            while let c = chars.first, c != "=", c != "," { key.append(c); chars = chars.dropFirst() }
            guard chars.first == "=" else { continue }
            chars = chars.dropFirst()
            var value = ""
            if chars.first == "\"" {
                chars = chars.dropFirst()
                while let c = chars.first {
                    chars = chars.dropFirst()
                    if c == "\\", let n = chars.first { value.append(n); chars = chars.dropFirst(); continue }
                    if c == "\"" { break }
                    value.append(c)
                }
            } else {
                while let c = chars.first, c != "," { value.append(c); chars = chars.dropFirst() }
            }
            out[key.trimmingCharacters(in: .whitespaces).lowercased()] = value.trimmingCharacters(in: .whitespaces)
        }
    }
}

extension RegistryClient {
    /// The `Authorization` value that answers `challenge` for a pull of this repository.
    func authorize(_ challenge: AuthChallenge, method: String, url: URL) throws(RegistryFailure) -> String {
        switch challenge.scheme {
        case "basic":
            guard let credentials else {
                throw RegistryFailure(method: method, url: url, status: 401, code: RegistryFailure.noCredentials, message: "")
            }
            return credentials.basicAuthorization
        case "bearer":
            return "Bearer " + (try token(challenge))
        default:
            throw RegistryFailure(
                method: method, url: url, status: 401, code: "UNAUTHORIZED",
                message: "unsupported authentication scheme \(challenge.scheme)")
        }
    }

    /// Docker's token flow: `GET realm?service=…&scope=repository:<repo>:pull`, with Basic
    /// credentials when stored (anonymous otherwise). The realm may be on another host: it is
    /// the registry's own choice of token server, so the credentials go there, as Docker sends them.
    func token(_ challenge: AuthChallenge) throws(RegistryFailure) -> String {
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm) else {
            throw RegistryFailure(method: "GET", url: base, status: 401, code: "UNAUTHORIZED", message: "bearer challenge without a realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        if !repository.isEmpty { query.append(URLQueryItem(name: "scope", value: "repository:\(repository):pull")) }
        components.queryItems = query
        guard let url = components.url else {
            throw RegistryFailure(method: "GET", url: base, status: 401, code: "UNAUTHORIZED", message: "bad realm \(realm)")
        }
        var headers: [(String, String)] = []
        if let credentials { headers.append(("Authorization", credentials.basicAuthorization)) }
        let response = try exchange(method: "GET", url, headers: headers)
        defer { response.close() }
        let body: Data
        do {
            body = try response.readAll(limit: 1 << 20)
        } catch {
            throw RegistryFailure(method: "GET", url: url, status: 0, code: nil, message: error.description)
        }
        guard response.status == 200 else {
            throw RegistryFailure(method: "GET", url: url, status: response.status, body: body)
        }
        struct TokenResponse: Decodable {
            var token: String?
            var accessToken: String?
            enum CodingKeys: String, CodingKey { case token, accessToken = "access_token" }
        }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: body),
            let token = decoded.token ?? decoded.accessToken, !token.isEmpty
        else {
            throw RegistryFailure(method: "GET", url: url, status: 200, code: "UNAUTHORIZED", message: "the token server sent no token")
        }
        return token
    }
}
