#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The userland proxy for IPv6 (Monitor.md, "Published ports"). IPv4 ports are DNAT'ed by
 * the kernel; an IPv6 client cannot be DNAT'ed to the container's IPv4 address, so each held
 * IPv6 TCP socket is served here, as docker-proxy does: every connection accepted on [::]:P
 * is relayed to 127.0.0.1:P, whose DNAT rule reaches the container. */

#define PROXY_BUF (64 * 1024)
#define MAX_PROXY_CONNS 256

void proxy_init(struct monitor *m) {
    for (int fd = FD_HELD; fd < FD_HELD + m->n_held && m->n_listeners < MAX_PROXY_LISTENERS; fd++) {
        int type = 0;
        socklen_t len = sizeof type;
        struct sockaddr_in6 a;
        socklen_t alen = sizeof a;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM) continue;
        if (getsockname(fd, (struct sockaddr *)&a, &alen) < 0 || a.sin6_family != AF_INET6) continue;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        m->listeners[m->n_listeners].fd = fd;
        m->listeners[m->n_listeners].port = a.sin6_port; /* network order, as connect wants it */
        m->n_listeners++;
    }
    if (m->n_listeners) m->conns = calloc(MAX_PROXY_CONNS, sizeof *m->conns);
    if (!m->conns) m->n_listeners = 0; /* IPv6 clients are refused rather than half served */
}

static void conn_close(struct proxy_conn *c) {
    for (int i = 0; i < 2; i++) {
        if (c->fd[i] >= 0) close(c->fd[i]);
        c->fd[i] = -1;
        free(c->buf[i]);
        c->buf[i] = NULL;
    }
    c->dead = 1;
}

static void accept_one(struct monitor *m, struct proxy_listener *l) {
    int client = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return;
    if (m->n_conns == MAX_PROXY_CONNS) {
        close(client);
        return;
    }
    int up = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = l->port, .sin_addr = { htonl(INADDR_LOOPBACK) } };
    int rc = up < 0 ? -1 : connect(up, (struct sockaddr *)&to, sizeof to);
    uint8_t *a = malloc(PROXY_BUF), *b = malloc(PROXY_BUF);
    if (up < 0 || (rc < 0 && errno != EINPROGRESS) || !a || !b) {
        if (up >= 0) close(up);
        close(client);
        free(a);
        free(b);
        return;
    }
    struct proxy_conn *c = &m->conns[m->n_conns++];
    *c = (struct proxy_conn){ .fd = { client, up }, .connecting = rc < 0, .buf = { a, b } };
}

/* Reads side `i` into its buffer and writes what is buffered to the other side. A side that
 * reaches EOF half-closes the other once its buffer is flushed; an error ends both. */
static void relay(struct proxy_conn *c, int i) {
    int o = 1 - i;
    if (c->len[i] == c->off[i] && !c->eof[i]) {
        ssize_t n = read(c->fd[i], c->buf[i], PROXY_BUF);
        if (n > 0) {
            c->len[i] = (size_t)n;
            c->off[i] = 0;
        } else if (n == 0) {
            c->eof[i] = 1;
        } else if (errno != EAGAIN && errno != EINTR) {
            conn_close(c);
            return;
        }
    }
    while (c->off[i] < c->len[i]) {
        ssize_t n = send(c->fd[o], c->buf[i] + c->off[i], c->len[i] - c->off[i], MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) {
            conn_close(c);
            return;
        }
        c->off[i] += (size_t)n;
    }
    if (c->eof[i] && !c->shut[i]) {
        shutdown(c->fd[o], SHUT_WR);
        c->shut[i] = 1;
    }
    if (c->shut[0] && c->shut[1]) conn_close(c);
}

size_t proxy_poll_count(const struct monitor *m) { return m->n_listeners + 2 * m->n_conns; }

void proxy_poll_fill(const struct monitor *m, struct pollfd *pf) {
    for (size_t i = 0; i < m->n_listeners; i++) pf[i] = (struct pollfd){ m->listeners[i].fd, POLLIN, 0 };
    pf += m->n_listeners;
    for (size_t k = 0; k < m->n_conns; k++) {
        const struct proxy_conn *c = &m->conns[k];
        for (int i = 0; i < 2; i++) {
            int o = 1 - i;
            short ev = 0;
            if (c->connecting) {
                ev = i == 1 ? POLLOUT : 0; /* nothing is read from the client until upstream answers */
            } else {
                if (c->len[i] == c->off[i] && !c->eof[i]) ev |= POLLIN;
                if (c->len[o] > c->off[o]) ev |= POLLOUT;
            }
            pf[2 * k + (size_t)i] = (struct pollfd){ c->fd[i], ev, 0 };
        }
    }
}

void proxy_poll_handle(struct monitor *m, const struct pollfd *pf) {
    size_t n_conns = m->n_conns; /* accepts below add to the end: those were not polled */
    const struct pollfd *cp = pf + m->n_listeners;
    for (size_t k = 0; k < n_conns; k++) {
        struct proxy_conn *c = &m->conns[k];
        short r0 = cp[2 * k].revents, r1 = cp[2 * k + 1].revents;
        if (c->dead || !(r0 | r1)) continue;
        if (c->connecting) {
            if (!(r1 & (POLLOUT | POLLERR | POLLHUP))) {
                if (r0 & (POLLHUP | POLLERR)) conn_close(c); /* the client left before upstream answered */
                continue;
            }
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &len);
            if (err) { /* the container refused: so does the proxy */
                conn_close(c);
                continue;
            }
            c->connecting = 0;
        }
        relay(c, 0);
        if (!c->dead) relay(c, 1);
    }
    for (size_t i = 0; i < m->n_listeners; i++)
        if (pf[i].revents & POLLIN) accept_one(m, &m->listeners[i]);
    size_t w = 0;
    for (size_t k = 0; k < m->n_conns; k++)
        if (!m->conns[k].dead) m->conns[w++] = m->conns[k];
    m->n_conns = w;
}

void proxy_close_all(struct monitor *m) {
    for (size_t k = 0; k < m->n_conns; k++) conn_close(&m->conns[k]);
    m->n_conns = 0;
    free(m->conns);
    m->conns = NULL;
    m->n_listeners = 0;
}
