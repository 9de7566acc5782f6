import BerthCore
import Foundation

/// A Registry HTTP API v2 client for one repository on one endpoint (the registry or a mirror).
///
/// Every request goes through `send`: it answers a 401 once by following the challenge in
/// `WWW-Authenticate` (Bearer: a token from the realm, with Basic credentials when stored;
/// Basic: the stored credentials), follows redirects, and sends `Authorization` only to the
/// host it was meant for, never across a redirect to another host (blob storage on a CDN).
/// Every https connection, redirected ones and the token server's included, uses the
/// endpoint's TLS settings, as Docker's one transport per endpoint does.
/// Safe to share between download threads: the token is kept under a lock.
package final class RegistryClient: @unchecked Sendable {
    package let base: URL
    package let repository: String
    let credentials: Credentials?
    let timeout: Double
    let tls: TLSConfiguration
    private let lock = NSLock()
    private var authorizationValue: String?

    static let maxRedirects = 10

    /// `base` is `http(s)://host[:port]`; `repository` the path (`library/busybox`).
    package init(base: URL, repository: String, credentials: Credentials?, tls: TLSConfiguration, timeout: Double = 30) {
        self.base = base
        self.repository = repository
        self.credentials = credentials
        self.tls = tls
        self.timeout = timeout
    }

    var authorization: String? {
        get { lock.withLock { authorizationValue } }
        set { lock.withLock { authorizationValue = newValue } }
    }

    /// `host:port` as Go's `url.Host` spells it, for comparing origins and for error text.
    static func origin(_ url: URL) -> String {
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        return "\(url.scheme ?? "")://\(url.host ?? ""):\(port)"
    }

    func url(_ path: String) -> URL {
        URL(string: base.absoluteString + path)!
    }

    /// `GET /v2/`: is this a v2 registry, and does it answer. A 401 is an answer (the
    /// challenge is followed later, with the repository's scope). Throws Docker's dial errors.
    func ping() throws(RegistryFailure) {
        let target = url("/v2/")
        let response = try exchange(method: "GET", target, headers: [])
        defer { response.close() }
        guard response.status == 200 || response.status == 401 else {
            throw RegistryFailure(method: "GET", url: target, status: response.status, code: nil, message: "not a v2 registry")
        }
    }

    /// Sends a request, answering one 401 challenge and following redirects. Returns a
    /// response whose status is below 300; any other status becomes `RegistryFailure`.
    func send(method: String, _ target: URL, accept: [String] = []) throws(RegistryFailure) -> HTTPConnection {
        var extra: [(String, String)] = []
        if !accept.isEmpty { extra.append(("Accept", accept.joined(separator: ", "))) }
        var answeredChallenge = false
        var current = target
        var redirects = 0
        while true {
            var headers = extra
            // Go's http.Client drops Authorization on a redirect to another host; so do we.
            if let authorization, RegistryClient.origin(current) == RegistryClient.origin(base) {
                headers.append(("Authorization", authorization))
            }
            let response = try exchange(method: method, current, headers: headers)
            switch response.status {
            case 200..<300:
                return response
            case 301, 302, 303, 307, 308:
                guard let location = response.header("location"), let next = URL(string: location, relativeTo: current)?.absoluteURL,
                    redirects < RegistryClient.maxRedirects
                else {
                    throw RegistryFailure(method: method, url: current, status: response.status, code: nil, message: "bad redirect")
                }
                response.close()
                redirects += 1
                current = next
            case 401 where !answeredChallenge && RegistryClient.origin(current) == RegistryClient.origin(base):
                answeredChallenge = true
                let challenge = response.header("www-authenticate").flatMap(AuthChallenge.init(header:))
                response.close()
                guard let challenge else {
                    throw RegistryFailure(method: method, url: current, status: 401, code: "UNAUTHORIZED", message: "authentication required")
                }
                authorization = try authorize(challenge, method: method, url: current)
            default:
                let body = (try? response.readAll(limit: 1 << 20)) ?? Data()
                response.close()
                throw RegistryFailure(method: method, url: current, status: response.status, body: body)
            }
        }
    }

    /// One HTTP exchange; no answer (refused, timed out, TLS refused) is a failure with status 0.
    func exchange(method: String, _ url: URL, headers: [(String, String)]) throws(RegistryFailure) -> HTTPConnection {
        do {
            return try HTTPConnection(method: method, url: url, headers: headers, timeout: timeout, tls: tls)
        } catch {
            throw RegistryFailure(method: method, url: url, status: 0, code: nil, message: error.description)
        }
    }
}

/// A registry's refusal: the status and the first entry of its `{"errors": [...]}` body.
struct RegistryFailure: Error {
    var method: String
    var url: URL
    var status: Int
    var code: String?
    var message: String

    init(method: String, url: URL, status: Int, code: String?, message: String) {
        (self.method, self.url, self.status, self.code, self.message) = (method, url, status, code, message)
    }

    init(method: String, url: URL, status: Int, body: Data) {
        struct Body: Decodable {
            struct Entry: Decodable {
                var code: String?
                var message: String?
            }
            var errors: [Entry]?
            var details: String?
        }
        let decoded = try? JSONDecoder().decode(Body.self, from: body)
        let first = decoded?.errors?.first
        var code = first?.code
        var message = first?.message ?? decoded?.details ?? ""
        if code == nil && status == 401 { code = "UNAUTHORIZED" }
        if code == nil && status == 403 { code = "DENIED" }
        if message.isEmpty { message = code.map(RegistryFailure.words) ?? "HTTP status \(status)" }
        self.init(method: method, url: url, status: status, code: code, message: message)
    }

    /// Not a registry code: a Basic challenge with no stored credentials.
    static let noCredentials = "BERTH_NO_CREDENTIALS"

    /// Go's `errcode.ErrorCode.Error()`: `MANIFEST_UNKNOWN` → `manifest unknown`.
    static func words(_ code: String) -> String {
        code.lowercased().replacingOccurrences(of: "_", with: " ")
    }

    /// `code words: message`, as Go's `errcode.Error` prints, or Go's transport error.
    var cause: String {
        guard let code else {
            return status == 0 ? message : "unexpected status code \(status): \(message)"
        }
        return "\(RegistryFailure.words(code)): \(message)"
    }

    /// Go names methods `Get`, `Head` in `url.Error`.
    static func goMethod(_ m: String) -> String {
        m.prefix(1) + m.dropFirst().lowercased()
    }

    /// The error `docker pull` prints for this failure of `reference` (moby's `translatePullError`).
    func pullError(_ reference: ImageReference) -> BerthError {
        switch code {
        case "DENIED": return .pullAccessDenied(reference.familiarName, message)
        case "MANIFEST_UNKNOWN": return .manifestNotFound(reference.familiar, cause)
        case "NAME_UNKNOWN": return .repositoryNotFound(reference.familiarName, cause)
        case Self.noCredentials: return .noBasicAuthCredentials(method: Self.goMethod(method), url: url.absoluteString)
        default:
            if status == 0 { return .registryUnreachable(method: Self.goMethod(method), url: url.absoluteString, message) }
            return .registryError(method: Self.goMethod(method), url: url.absoluteString, cause)
        }
    }
}
