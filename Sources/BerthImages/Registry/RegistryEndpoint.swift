import Foundation

/// One place to try for an image (moby's `APIEndpoint`): a base URL, the `host[:port]` that
/// names its certs.d directory, and whether its certificate is verified.
package struct RegistryEndpoint: Equatable, Sendable {
    package var url: URL
    package var host: String
    package var verifyTLS: Bool

    package init(url: URL, host: String, verifyTLS: Bool) {
        self.url = url
        self.host = host
        self.verifyTLS = verifyTLS
    }
}
