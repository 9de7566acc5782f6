#include "berth_tls.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

struct berth_tls_config {
    SSL_CTX *ctx;
    int verify;
};

struct berth_tls_conn {
    SSL *ssl;
    int fd;
    int sys_errno;            /* errno of the last failed send/recv, 0 if none */
    unsigned char first[5];   /* the first bytes the server sent: "HTTP/" means it is not TLS */
    size_t first_len;
    char host[256];
    char endpoint[300];
    char verify_error[512];   /* Go's text for the first certificate failure */
    char error[512];
};

/* ---- A socket BIO that never raises SIGPIPE ----
 * OpenSSL's socket BIO write()s, and berth does not ignore SIGPIPE, so a registry that
 * hangs up mid-request would kill the process; send(MSG_NOSIGNAL) turns that into EPIPE. */

static int bio_write(BIO *b, const char *buf, int len) {
    struct berth_tls_conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t n = send(c->fd, buf, (size_t)len, MSG_NOSIGNAL);
        if (n >= 0) return (int)n;
        if (errno == EINTR) continue;
        c->sys_errno = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_write(b);
        return -1;
    }
}

static int bio_read(BIO *b, char *buf, int len) {
    struct berth_tls_conn *c = BIO_get_data(b);
    BIO_clear_retry_flags(b);
    for (;;) {
        ssize_t n = recv(c->fd, buf, (size_t)len, 0);
        if (n >= 0) {
            for (ssize_t i = 0; i < n && c->first_len < sizeof c->first; i++) c->first[c->first_len++] = (unsigned char)buf[i];
            return (int)n;
        }
        if (errno == EINTR) continue;
        c->sys_errno = errno;
        if (errno == EAGAIN || errno == EWOULDBLOCK) BIO_set_retry_read(b);
        return -1;
    }
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    (void)b, (void)num, (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b) {
    BIO_set_init(b, 1);
    return 1;
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static void bio_method_init(void) {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "berth socket");
    if (!m) return;
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    bio_method = m;
}

/* ---- Go's words ---- */

static void lower_errno(char *out, size_t len, int e) {
    snprintf(out, len, "%s", strerror(e));
    for (char *p = out; *p; p++) *p = (char)tolower((unsigned char)*p);
}

static int is_ip(const char *host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* RFC 3339 in UTC, as Go's time.Format(time.RFC3339) prints a UTC time. */
static void rfc3339(const ASN1_TIME *t, char *out, size_t len) {
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm)) {
        snprintf(out, len, "?");
        return;
    }
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* crypto/x509's CertificateInvalidError{Expired}: checked before the name and the chain. */
static int expiry_text(X509 *leaf, char *out, size_t len) {
    char now[32], bound[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
        rfc3339(X509_get0_notBefore(leaf), bound, sizeof bound);
        snprintf(out, len, "x509: certificate has expired or is not yet valid: current time %s is before %s", now, bound);
        return 1;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
        rfc3339(X509_get0_notAfter(leaf), bound, sizeof bound);
        snprintf(out, len, "x509: certificate has expired or is not yet valid: current time %s is after %s", now, bound);
        return 1;
    }
    return 0;
}

/* crypto/x509's HostnameError.Error(): the names the certificate is valid for. */
static int name_text(X509 *leaf, const char *host, char *out, size_t len) {
    int ip = is_ip(host);
    if (ip ? X509_check_ip_asc(leaf, host, 0) == 1
           : X509_check_host(leaf, host, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL) == 1)
        return 0;
    GENERAL_NAMES *sans = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    if (!sans && !ip) {
        /* Go ignores the Common Name and says so when it would have matched. */
        if (X509_check_host(leaf, host, 0, X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT | X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1) {
            snprintf(out, len, "x509: certificate relies on legacy Common Name field, use SANs instead");
            return 1;
        }
    }
    char valid[400] = "";
    size_t used = 0;
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
        char one[256] = "";
        if (ip && g->type == GEN_IPADD) {
            const ASN1_OCTET_STRING *a = g->d.iPAddress;
            int af = ASN1_STRING_length(a) == 4 ? AF_INET : ASN1_STRING_length(a) == 16 ? AF_INET6 : 0;
            if (!af || !inet_ntop(af, ASN1_STRING_get0_data(a), one, sizeof one)) continue;
        } else if (!ip && g->type == GEN_DNS) {
            snprintf(one, sizeof one, "%.*s", ASN1_STRING_length(g->d.dNSName), (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else {
            continue;
        }
        int n = snprintf(valid + used, sizeof valid - used, "%s%s", used ? ", " : "", one);
        if (n < 0 || (size_t)n >= sizeof valid - used) break;
        used += (size_t)n;
    }
    GENERAL_NAMES_free(sans);
    if (ip && used == 0)
        snprintf(out, len, "x509: cannot validate certificate for %s because it doesn't contain any IP SANs", host);
    else if (used == 0)
        snprintf(out, len, "x509: certificate is not valid for any names, but wanted to match %s", host);
    else
        snprintf(out, len, "x509: certificate is valid for %s, not %s", valid, host);
    return 1;
}

/* Records Go's text for the first failure. Go checks the leaf's dates, then its name, then
 * the chain, so a wrong name on an untrusted certificate reports the name, as Docker does. */
static int verify_cb(int ok, X509_STORE_CTX *store) {
    if (ok) return 1;
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct berth_tls_conn *c = ssl ? SSL_get_app_data(ssl) : NULL;
    if (!c || c->verify_error[0]) return 0;
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    int err = X509_STORE_CTX_get_error(store);
    char detail[450];
    if (leaf && expiry_text(leaf, detail, sizeof detail)) {
    } else if (leaf && name_text(leaf, c->host, detail, sizeof detail)) {
    } else {
        switch (err) {
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            snprintf(detail, sizeof detail, "x509: certificate signed by unknown authority");
            break;
        default:
            snprintf(detail, sizeof detail, "x509: %s", X509_verify_cert_error_string(err));
        }
    }
    snprintf(c->verify_error, sizeof c->verify_error, "tls: failed to verify certificate: %s", detail);
    return 0;
}

/* An OpenSSL error as Go's crypto/tls words it: alerts the server sent are `remote error`. */
static void ssl_text(unsigned long code, char *out, size_t len) {
    static const struct { const char *openssl, *go; } alerts[] = {
        {"unknown ca", "unknown certificate authority"},
        {"protocol version", "protocol version not supported"},
        {"decrypt error", "error decrypting message"},
        {"internal error", "internal error"},
    };
    const char *reason = ERR_reason_error_string(code);
    if (!reason) {
        snprintf(out, len, "tls: handshake failure");
        return;
    }
    const char *alert = strstr(reason, "alert ");
    if (alert) {
        alert += strlen("alert ");
        for (size_t i = 0; i < sizeof alerts / sizeof alerts[0]; i++)
            if (strcmp(alert, alerts[i].openssl) == 0) alert = alerts[i].go;
        snprintf(out, len, "remote error: tls: %s", alert);
        return;
    }
    snprintf(out, len, "tls: %s", reason);
}

/* The failure of an SSL_* call that returned `ret`, in `out`. `op` is "read" or "write". */
static void describe(struct berth_tls_conn *c, int ret, const char *op, int handshake, char *out, size_t len) {
    int e = SSL_get_error(c->ssl, ret);
    unsigned long code = ERR_peek_last_error();
    char text[128];
    if (handshake && c->verify_error[0]) {
        snprintf(out, len, "%s", c->verify_error);
    } else if (handshake && c->first_len == 5 && memcmp(c->first, "HTTP/", 5) == 0) {
        snprintf(out, len, "http: server gave HTTP response to HTTPS client");
    } else if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
        if (handshake) snprintf(out, len, "net/http: TLS handshake timeout");
        else snprintf(out, len, "%s tcp %s: i/o timeout", op, c->endpoint);
    } else if (e == SSL_ERROR_SYSCALL && c->sys_errno) {
        lower_errno(text, sizeof text, c->sys_errno);
        snprintf(out, len, "%s tcp %s: %s", op, c->endpoint, text);
    } else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN
               || (code && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
        snprintf(out, len, "%s", handshake ? "EOF" : "unexpected EOF");
    } else if (handshake && code && c->first_len > 0
               && (ERR_GET_REASON(code) == SSL_R_WRONG_VERSION_NUMBER || ERR_GET_REASON(code) == SSL_R_PACKET_LENGTH_TOO_LONG)) {
        snprintf(out, len, "tls: first record does not look like a TLS handshake");
    } else {
        ssl_text(code, out, len);
    }
    ERR_clear_error();
}

/* ---- The API ---- */

struct berth_tls_config *berth_tls_config_new(int verify, char *err, size_t errlen) {
    struct berth_tls_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    cfg->ctx = SSL_CTX_new(TLS_client_method());
    if (!cfg->ctx) {
        ssl_text(ERR_get_error(), err, errlen);
        free(cfg);
        return NULL;
    }
    cfg->verify = verify;
    /* Go's crypto/tls client default since Go 1.18, and what Docker's tlsconfig sets. */
    SSL_CTX_set_min_proto_version(cfg->ctx, TLS1_2_VERSION);
    /* A registry that closes without close_notify ends a body that has no length; a body
     * that is cut short is still caught by Content-Length or chunked framing above. */
    SSL_CTX_set_options(cfg->ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(cfg->ctx, SSL_MODE_AUTO_RETRY);
    if (verify) {
        SSL_CTX_set_default_verify_paths(cfg->ctx);
        SSL_CTX_set_verify(cfg->ctx, SSL_VERIFY_PEER, verify_cb);
    } else {
        SSL_CTX_set_verify(cfg->ctx, SSL_VERIFY_NONE, NULL);
    }
    ERR_clear_error();
    return cfg;
}

void berth_tls_config_free(struct berth_tls_config *cfg) {
    if (!cfg) return;
    SSL_CTX_free(cfg->ctx);
    free(cfg);
}

int berth_tls_config_add_ca_file(struct berth_tls_config *cfg, const char *path) {
    BIO *in = BIO_new_file(path, "r");
    if (!in) {
        ERR_clear_error();
        return 0;
    }
    X509_STORE *store = SSL_CTX_get_cert_store(cfg->ctx);
    int added = 0;
    X509 *cert;
    while ((cert = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
        if (X509_STORE_add_cert(store, cert) == 1) added++;
        X509_free(cert);
    }
    BIO_free(in);
    ERR_clear_error();
    return added;
}

int berth_tls_config_use_client_cert(struct berth_tls_config *cfg, const char *cert_path, const char *key_path,
                                     char *err, size_t errlen) {
    int rc = -1;
    if (SSL_CTX_use_certificate_chain_file(cfg->ctx, cert_path) != 1)
        snprintf(err, errlen, "tls: failed to find any PEM data in certificate input");
    else if (SSL_CTX_use_PrivateKey_file(cfg->ctx, key_path, SSL_FILETYPE_PEM) != 1)
        snprintf(err, errlen, "tls: failed to find any PEM data in key input");
    else if (SSL_CTX_check_private_key(cfg->ctx) != 1)
        snprintf(err, errlen, "tls: private key does not match public key");
    else
        rc = 0;
    ERR_clear_error();
    return rc;
}

struct berth_tls_conn *berth_tls_connect(struct berth_tls_config *cfg, int fd, const char *host, const char *endpoint,
                                         char *err, size_t errlen) {
    pthread_once(&bio_once, bio_method_init);
    struct berth_tls_conn *c = calloc(1, sizeof *c);
    BIO *bio = NULL;
    if (!c || !bio_method || !(c->ssl = SSL_new(cfg->ctx)) || !(bio = BIO_new(bio_method))) {
        snprintf(err, errlen, "tls: cannot create a connection");
        if (c) SSL_free(c->ssl);
        free(c);
        ERR_clear_error();
        return NULL;
    }
    c->fd = fd;
    snprintf(c->host, sizeof c->host, "%s", host);
    snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
    BIO_set_data(bio, c);
    SSL_set_bio(c->ssl, bio, bio);
    SSL_set_app_data(c->ssl, c);
    /* Like Go: SNI for names only, and names are matched against SANs, never the CN. */
    if (!is_ip(host)) SSL_set_tlsext_host_name(c->ssl, host);
    if (cfg->verify) {
        X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
        if (is_ip(host)) X509_VERIFY_PARAM_set1_ip_asc(param, host);
        else X509_VERIFY_PARAM_set1_host(param, host, 0);
    }
    ERR_clear_error();
    int r = SSL_connect(c->ssl);
    if (r != 1) {
        describe(c, r, "read", 1, err, errlen);
        SSL_free(c->ssl);
        free(c);
        return NULL;
    }
    return c;
}

ssize_t berth_tls_read(struct berth_tls_conn *c, void *buf, size_t len) {
    if (len > INT_MAX) len = INT_MAX;
    c->sys_errno = 0;
    ERR_clear_error();
    int n = SSL_read(c->ssl, buf, (int)len);
    if (n > 0) return n;
    int e = SSL_get_error(c->ssl, n);
    if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && c->sys_errno == 0 && ERR_peek_error() == 0)) {
        ERR_clear_error();
        return 0;
    }
    describe(c, n, "read", 0, c->error, sizeof c->error);
    return -1;
}

ssize_t berth_tls_write(struct berth_tls_conn *c, const void *buf, size_t len) {
    size_t off = 0;
    while (off < len) {
        size_t chunk = len - off > INT_MAX ? INT_MAX : len - off;
        c->sys_errno = 0;
        ERR_clear_error();
        int n = SSL_write(c->ssl, (const char *)buf + off, (int)chunk);
        if (n <= 0) {
            describe(c, n, "write", 0, c->error, sizeof c->error);
            return -1;
        }
        off += (size_t)n;
    }
    return (ssize_t)len;
}

const char *berth_tls_error(const struct berth_tls_conn *c) { return c->error; }

void berth_tls_close(struct berth_tls_conn *c) {
    if (!c) return;
    SSL_free(c->ssl);
    free(c);
}
