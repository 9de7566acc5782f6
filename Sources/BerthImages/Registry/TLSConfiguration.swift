import BerthCore
import CBerthTLS
import Foundation

/// The TLS settings for one registry host, as Docker's `newTLSConfig` builds them: TLS 1.2 at
/// least; for a secure registry the system CA store plus hostname (or IP) verification, for
/// an insecure one no verification at all. Either way `certs.d/<host:port>/` beside the config
/// file (like /etc/docker/certs.d) adds CAs (`*.crt`) and a client certificate (`*.cert` with
/// the `*.key` of the same name). One OpenSSL SSL_CTX, shared by the download threads.
package final class TLSConfiguration: @unchecked Sendable {
    let pointer: OpaquePointer
    package let verify: Bool

    /// Throws Docker's words for a certs.d directory it would refuse (a `.cert` without its `.key`).
    package init(verify: Bool, certsDirectory: String?) throws(BerthError) {
        var err = [CChar](repeating: 0, count: 512)
        guard let made = berth_tls_config_new(verify ? 1 : 0, &err, err.count) else {
            throw .internalError("cannot set up TLS: \(String(cBuffer: err))")
        }
        pointer = made
        self.verify = verify
        if let certsDirectory { try load(certsDirectory) }
    }

    deinit { berth_tls_config_free(pointer) }

    /// moby's `registry.ReadCertsDirectory`: a missing directory is no error; a `.crt` with no
    /// certificate in it is skipped (Go's AppendCertsFromPEM); a half client pair is refused.
    private func load(_ dir: String) throws(BerthError) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir).sorted() else { return }
        for name in names {
            let path = dir + "/" + name
            if name.hasSuffix(".crt") {
                _ = berth_tls_config_add_ca_file(pointer, path)
            } else if name.hasSuffix(".cert") {
                let key = String(name.dropLast(5)) + ".key"
                guard names.contains(key) else {
                    throw .daemon("missing key \(key) for client certificate \(name). CA certificates must use the extension .crt")
                }
                var err = [CChar](repeating: 0, count: 512)
                if berth_tls_config_use_client_cert(pointer, path, dir + "/" + key, &err, err.count) != 0 {
                    throw .daemon(String(cBuffer: err))
                }
            } else if name.hasSuffix(".key") {
                let cert = String(name.dropLast(4)) + ".cert"
                guard names.contains(cert) else { throw .daemon("missing client certificate \(cert) for key \(name)") }
            }
        }
    }
}
