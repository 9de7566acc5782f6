import BerthCore
import Foundation

/// `docker login`: proves the credentials on the registry, then stores them.
package enum RegistryLogin {
    /// `GET /v2/` with the credentials (Basic, or through the token server for a Bearer
    /// challenge); stores them in `options.auth` when the registry accepts them. Throws
    /// `Get "…/v2/": unauthorized: …` when it does not, or the dial error when it is down.
    package static func login(domain: String, credentials: Credentials, options: PullOptions) throws(BerthError) {
        guard let base = options.registry.endpoints(for: domain).last else {
            throw .internalError("no registry endpoint for \(domain)")
        }
        let client = RegistryClient(base: base, repository: "", credentials: credentials, timeout: options.registry.timeout ?? 30)
        do {
            let response = try client.send(method: "GET", client.url("/v2/"))
            response.close()
        } catch {
            throw error.pullError(ImageReference(domain: domain, path: "", tag: nil, digest: nil))
        }
        try options.auth.store(credentials, for: domain)
    }
}
