import BerthCore
import Foundation

/// `docker login`: proves the credentials on the registry, then stores them.
package enum RegistryLogin {
    /// `GET /v2/` with the credentials (Basic, or through the token server for a Bearer
    /// challenge); stores them in `options.auth` when the registry accepts them. Throws
    /// `Get "…/v2/": unauthorized: …` when it does not, or the dial error when it is down.
    /// Like moby's `loginV2`, the registry's endpoints (never mirrors) are tried in order,
    /// and a refusal stops there: credentials are not retried over plain http.
    package static func login(domain: String, credentials: Credentials, options: PullOptions) throws(BerthError) {
        let host = RegistryConfig.apiHost(domain)
        let endpoints = options.registry.endpoints(for: domain).filter { $0.host == host }
        var lastError: RegistryFailure?
        for endpoint in endpoints {
            let client = RegistryClient(
                base: endpoint.url, repository: "", credentials: credentials,
                tls: try options.registry.tls(for: endpoint), timeout: options.registry.timeout ?? 30)
            do throws(RegistryFailure) {
                let response = try client.send(method: "GET", client.url("/v2/"))
                response.close()
            } catch {
                lastError = error
                if error.status != 0 { break }  // the registry answered: a refusal, not a transport failure
                continue
            }
            try options.auth.store(credentials, for: domain)
            return
        }
        guard let lastError else { throw .internalError("no registry endpoint for \(domain)") }
        throw lastError.pullError(ImageReference(domain: domain, path: "", tag: nil, digest: nil))
    }
}
