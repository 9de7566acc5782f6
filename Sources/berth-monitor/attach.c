#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

enum { F_STDIN = 0, F_STDOUT = 1, F_STDERR = 2, F_EXIT = 3, F_CLOSE_STDIN = 4, F_RESIZE = 5 };

int attach_listen(const char *path, char *err, size_t errlen) {
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) {
        snprintf(err, errlen, "attach socket path too long: %s", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) goto fail;
    unlink(path);
    mode_t old = umask(0177); /* created 0600: no window where others may connect */
    int rc = bind(fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (rc < 0 || listen(fd, 16) < 0) goto fail;
    return fd;
fail:
    snprintf(err, errlen, "attach socket %s: %s", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
}

void attach_accept(struct monitor *m) {
    for (;;) {
        int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return; /* EAGAIN, or a client that left already */
        if (m->n_clients >= MAX_CLIENTS) {
            close(fd);
            continue;
        }
        if (m->n_clients == m->cap_clients) {
            size_t cap = m->cap_clients ? m->cap_clients * 2 : 4;
            struct client *n = realloc(m->clients, cap * sizeof *n);
            if (!n) {
                close(fd);
                continue;
            }
            m->clients = n;
            m->cap_clients = cap;
        }
        struct client *c = &m->clients[m->n_clients++];
        memset(c, 0, sizeof *c);
        c->fd = fd;
    }
}

static int gone(int err) {
    return err != EAGAIN && err != EINTR;
}

void attach_flush(struct client *c) {
    while (c->pend && !c->dead) {
        ssize_t n = send(c->fd, c->pend + c->pend_off, c->pend_len - c->pend_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (gone(errno)) c->dead = 1;
            return;
        }
        c->pend_off += (size_t)n;
        if (c->pend_off == c->pend_len) {
            free(c->pend);
            c->pend = NULL;
        }
    }
}

/* A frame either goes whole, or (socket full) not at all; a partly written one is finished
 * before the next, which keeps the stream well-formed while a slow client misses output. */
static void send_frame(struct client *c, const uint8_t hdr[8], const uint8_t *data, size_t n) {
    if (c->dead || c->pend) return;
    struct iovec iov[2] = { { (void *)hdr, 8 }, { (void *)data, n } };
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = n ? 2 : 1 };
    ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    if (w < 0) {
        if (gone(errno)) c->dead = 1;
        return;
    }
    size_t total = 8 + n, done = (size_t)w;
    if (done == total) return;
    c->pend = malloc(total - done);
    if (!c->pend) { /* cannot keep the stream whole: drop the client */
        c->dead = 1;
        return;
    }
    c->pend_len = total - done;
    c->pend_off = 0;
    if (done < 8) {
        memcpy(c->pend, hdr + done, 8 - done);
        memcpy(c->pend + 8 - done, data, n);
    } else {
        memcpy(c->pend, data + (done - 8), total - done);
    }
}

static void header(uint8_t hdr[8], uint8_t type, size_t n) {
    hdr[0] = type;
    hdr[1] = hdr[2] = hdr[3] = 0;
    hdr[4] = (uint8_t)(n >> 24);
    hdr[5] = (uint8_t)(n >> 16);
    hdr[6] = (uint8_t)(n >> 8);
    hdr[7] = (uint8_t)n;
}

void attach_broadcast(struct monitor *m, uint8_t type, const uint8_t *data, size_t n) {
    uint8_t hdr[8];
    header(hdr, type, n);
    for (size_t i = 0; i < m->n_clients; i++) send_frame(&m->clients[i], hdr, data, n);
}

static void frame_done(struct monitor *m, struct client *c) {
    if (c->type == F_CLOSE_STDIN) {
        if (!m->plan.tty) stdin_close(m); /* a TTY has no EOF to give; Docker ignores it too */
    } else if (c->type == F_RESIZE) {
        c->small[c->small_len] = 0;
        unsigned rows, cols;
        if (sscanf(c->small, "%u %u", &rows, &cols) == 2 && rows <= 0xffff && cols <= 0xffff)
            monitor_resize(m, (uint16_t)rows, (uint16_t)cols);
    }
    c->hdr_len = 0;
}

/* Reads what the client sent: stdin bytes are forwarded as they come, without waiting for
 * the whole frame; unknown frame types are skipped. */
void attach_read(struct monitor *m, struct client *c) {
    ssize_t n = recv(c->fd, m->buf, READ_BUF_SIZE, 0);
    if (n == 0 || (n < 0 && gone(errno))) {
        c->dead = 1;
        return;
    }
    if (n < 0) return;
    const uint8_t *p = m->buf;
    size_t left = (size_t)n;
    while (left) {
        if (c->hdr_len < 8) {
            size_t want = 8u - (size_t)c->hdr_len;
            size_t take = want < left ? want : left;
            memcpy(c->hdr + c->hdr_len, p, take);
            c->hdr_len = (uint8_t)(c->hdr_len + take);
            p += take;
            left -= take;
            if (c->hdr_len < 8) break;
            c->type = c->hdr[0];
            c->remaining = (uint32_t)c->hdr[4] << 24 | (uint32_t)c->hdr[5] << 16 | (uint32_t)c->hdr[6] << 8 | c->hdr[7];
            c->small_len = 0;
            if (!c->remaining) frame_done(m, c);
            continue;
        }
        size_t take = c->remaining < left ? c->remaining : left;
        if (c->type == F_STDIN) {
            stdin_feed(m, p, take);
        } else if (c->type == F_RESIZE) {
            size_t room = sizeof c->small - 1 - c->small_len;
            size_t k = take < room ? take : room;
            memcpy(c->small + c->small_len, p, k);
            c->small_len = (uint8_t)(c->small_len + k);
        }
        p += take;
        left -= take;
        c->remaining -= (uint32_t)take;
        if (!c->remaining) frame_done(m, c);
    }
}

void attach_reap(struct monitor *m) {
    size_t j = 0;
    for (size_t i = 0; i < m->n_clients; i++) {
        struct client *c = &m->clients[i];
        if (c->dead) {
            close(c->fd);
            free(c->pend);
            continue;
        }
        m->clients[j++] = *c;
    }
    m->n_clients = j;
}

/* Waits up to the deadline for room, then writes; the exit code should not be lost to a
 * client that was merely slow. */
static int send_blocking(struct client *c, const uint8_t *data, size_t n, uint64_t deadline) {
    while (n && !c->dead) {
        ssize_t w = send(c->fd, data, n, MSG_NOSIGNAL);
        if (w > 0) {
            data += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && gone(errno)) break;
        uint64_t now = now_ns();
        if (now >= deadline) break;
        struct pollfd p = { .fd = c->fd, .events = POLLOUT };
        poll(&p, 1, (int)((deadline - now) / 1000000) + 1);
    }
    return n ? -1 : 0;
}

void attach_finish(struct monitor *m, int code) {
    char payload[16];
    int n = snprintf(payload, sizeof payload, "%d", code);
    uint8_t frame[8 + 16];
    header(frame, F_EXIT, (size_t)n);
    memcpy(frame + 8, payload, (size_t)n);
    uint64_t deadline = now_ns() + 2000000000ull;
    for (size_t i = 0; i < m->n_clients; i++) {
        struct client *c = &m->clients[i];
        /* the rest of a half-sent frame first, or the exit frame would land inside it */
        if (!c->pend || send_blocking(c, c->pend + c->pend_off, c->pend_len - c->pend_off, deadline) == 0)
            send_blocking(c, frame, 8 + (size_t)n, deadline);
        c->dead = 1;
    }
    attach_reap(m);
}
