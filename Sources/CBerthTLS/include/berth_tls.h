#ifndef BERTH_TLS_H
#define BERTH_TLS_H
/* TLS client connections through the system's OpenSSL 3, for the registry client.
 * Swift cannot call OpenSSL's macros (SSL_set_tlsext_host_name, SSL_CTX_set_min_proto_version)
 * and should not see OpenSSL's headers beside swift-crypto's BoringSSL, so this header names
 * only opaque types. Error texts are written as Go's crypto/tls and crypto/x509 print them,
 * because Docker prints those verbatim. */
#include <stddef.h>
#include <sys/types.h>

struct berth_tls_config;
struct berth_tls_conn;

/* A client context: TLS 1.2 at least; with `verify`, the system CA store and hostname checks.
 * NULL (with `err` filled) when OpenSSL cannot make one. Free with berth_tls_config_free. */
struct berth_tls_config *berth_tls_config_new(int verify, char *err, size_t errlen);
void berth_tls_config_free(struct berth_tls_config *cfg);

/* Adds the CAs in a PEM file. Like Go's AppendCertsFromPEM, a file with no certificate is
 * ignored; returns how many certificates were added. */
int berth_tls_config_add_ca_file(struct berth_tls_config *cfg, const char *path);

/* Presents `cert_path` (PEM, chain allowed) with `key_path` as the client certificate.
 * 0, or -1 with `err` filled. */
int berth_tls_config_use_client_cert(struct berth_tls_config *cfg, const char *cert_path, const char *key_path,
                                     char *err, size_t errlen);

/* Handshakes over the connected blocking socket `fd` (its SO_RCVTIMEO bounds each read) for
 * `host` (a DNS name gets SNI and a name check, an IP literal an IP SAN check). `endpoint`
 * (`host:port`) is used in error texts. Returns NULL with `err` filled, e.g.
 * `tls: failed to verify certificate: x509: certificate signed by unknown authority` or
 * `http: server gave HTTP response to HTTPS client`. The connection does not own `fd`. */
struct berth_tls_conn *berth_tls_connect(struct berth_tls_config *cfg, int fd, const char *host, const char *endpoint,
                                         char *err, size_t errlen);

/* Plaintext bytes read (0 at the end of the stream), or -1 with berth_tls_error set
 * (`read tcp H:P: i/o timeout` when SO_RCVTIMEO expired). */
ssize_t berth_tls_read(struct berth_tls_conn *conn, void *buf, size_t len);

/* Bytes written (all of them), or -1 with berth_tls_error set. Never raises SIGPIPE. */
ssize_t berth_tls_write(struct berth_tls_conn *conn, const void *buf, size_t len);

/* The last read or write error's text. */
const char *berth_tls_error(const struct berth_tls_conn *conn);

/* Frees the connection (no close_notify: the request said Connection: close). Does not close fd. */
void berth_tls_close(struct berth_tls_conn *conn);

#endif
