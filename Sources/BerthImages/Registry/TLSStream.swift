import CBerthTLS

/// TLS over a `SocketStream` (which it owns), through OpenSSL via CBerthTLS. The handshake
/// happens in `init`, verified as `configuration` says; its failure is Go's text
/// (`tls: failed to verify certificate: x509: …`, `http: server gave HTTP response to HTTPS client`).
final class TLSStream: ByteStream {
    private let socket: SocketStream
    private var conn: OpaquePointer?

    /// Handshakes for `host` (name or IP literal: what SNI and the certificate check use).
    init(socket: SocketStream, host: String, configuration: TLSConfiguration) throws(HTTPFailure) {
        self.socket = socket
        var err = [CChar](repeating: 0, count: 512)
        conn = berth_tls_connect(configuration.pointer, socket.fd, host, socket.endpoint, &err, err.count)
        if conn == nil {
            throw HTTPFailure(description: String(cBuffer: err))
        }
    }

    deinit { close() }

    func read(into: UnsafeMutableRawBufferPointer) throws(HTTPFailure) -> Int {
        guard let conn else { throw HTTPFailure(description: "use of closed network connection") }
        let n = berth_tls_read(conn, into.baseAddress!, into.count)
        if n < 0 { throw HTTPFailure(description: String(cString: berth_tls_error(conn)!)) }
        return n
    }

    func write(_ bytes: [UInt8]) throws(HTTPFailure) {
        guard let conn else { throw HTTPFailure(description: "use of closed network connection") }
        if bytes.withUnsafeBytes({ berth_tls_write(conn, $0.baseAddress!, $0.count) }) < 0 {
            throw HTTPFailure(description: String(cString: berth_tls_error(conn)!))
        }
    }

    func close() {
        if let conn { berth_tls_close(conn) }
        conn = nil
        socket.close()
    }
}

extension String {
    /// The NUL-terminated text a C function wrote into `buffer`.
    init(cBuffer buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
