#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* After init exits, output still in the pipes or the PTY is read until EOF. Its PID
 * namespace is gone by then, so EOF comes at once; these bound the case without one. */
#define DRAIN_IDLE_MS 1000
#define DRAIN_MAX_NS (5 * 1000000000ull)

uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void close_fd(int *fd) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

void stdin_close(struct monitor *m) {
    if (m->stdin_len > m->stdin_off) {
        m->stdin_close_after = 1;
        return;
    }
    m->stdin_open = 0;
    m->stdin_len = m->stdin_off = 0;
    if (m->stdin_fd >= 0 && m->stdin_fd != m->master_fd) close(m->stdin_fd);
    m->stdin_fd = -1;
}

static void stdin_write_pending(struct monitor *m) {
    while (m->stdin_fd >= 0 && m->stdin_off < m->stdin_len) {
        ssize_t n = write(m->stdin_fd, m->stdin_pend + m->stdin_off, m->stdin_len - m->stdin_off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n < 0) { /* EPIPE: nobody reads the container's stdin any more */
            m->stdin_close_after = 0;
            m->stdin_off = m->stdin_len = 0;
            stdin_close(m);
            return;
        }
        m->stdin_off += (size_t)n;
    }
    if (m->stdin_off == m->stdin_len) {
        m->stdin_off = m->stdin_len = 0;
        if (m->stdin_close_after) {
            m->stdin_close_after = 0;
            stdin_close(m);
        }
    }
}

/* Queues client bytes for the container's stdin. While any are queued, the loop stops reading
 * clients (see monitor_run), so the queue stays within one read: flow control, not loss. */
void stdin_feed(struct monitor *m, const uint8_t *data, size_t n) {
    if (!m->stdin_open || m->stdin_close_after || !n) return;
    if (m->stdin_len + n > m->stdin_cap) {
        size_t cap = m->stdin_len + n;
        uint8_t *p = realloc(m->stdin_pend, cap);
        if (!p) return;
        m->stdin_pend = p;
        m->stdin_cap = cap;
    }
    memcpy(m->stdin_pend + m->stdin_len, data, n);
    m->stdin_len += n;
    stdin_write_pending(m);
}

void monitor_resize(struct monitor *m, uint16_t rows, uint16_t cols) {
    m->rows = rows;
    m->cols = cols;
    if (m->master_fd >= 0) berth_winsize_set(m->master_fd, rows, cols);
}

static void emit(struct monitor *m, int stream, const uint8_t *data, size_t n) {
    log_write(&m->log, stream, data, n);
    attach_broadcast(m, (uint8_t)stream, data, n);
}

/* One read from an output fd; at EOF (or EIO: a PTY whose last slave closed) the fd is closed. */
static void pump(struct monitor *m, int *fd, int stream) {
    ssize_t n = read(*fd, m->buf, READ_BUF_SIZE);
    if (n > 0) {
        emit(m, stream, m->buf, (size_t)n);
        return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (*fd == m->master_fd && m->stdin_fd == m->master_fd) m->stdin_fd = -1;
    close_fd(fd);
    log_end_stream(&m->log, stream);
}

static void receive_master(struct monitor *m) {
    int fd = berth_recv_fd(m->console_fd);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EINTR) close_fd(&m->console_fd); /* the child failed first */
        return;
    }
    close_fd(&m->console_fd);
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    m->master_fd = fd;
    if (m->plan.open_stdin) m->stdin_fd = fd;
    if (m->rows && m->cols) berth_winsize_set(fd, m->rows, m->cols);
    stdin_write_pending(m);
}

static void reap(struct monitor *m) {
    struct signalfd_siginfo si;
    while (read(m->sigfd, &si, sizeof si) == sizeof si) {
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid != m->child) continue;
        m->status = status;
        m->exited = 1;
        m->finished_ns = now_ns();
    }
}

enum { P_SIG, P_LISTEN, P_OUT, P_ERR, P_MASTER, P_CONSOLE, P_STDIN, P_CLIENTS };

void monitor_run(struct monitor *m) {
    struct pollfd *pf = NULL;
    size_t cap = 0;
    while (!m->exited) {
        size_t proxied = proxy_poll_count(m);
        size_t need = P_CLIENTS + m->n_clients + proxied;
        if (need > cap) {
            struct pollfd *n = realloc(pf, need * sizeof *n);
            if (!n) { /* cannot serve the newest client: drop it */
                m->clients[m->n_clients - 1].dead = 1;
                attach_reap(m);
                continue;
            }
            pf = n;
            cap = need;
        }
        int stdin_busy = m->stdin_off < m->stdin_len;
        pf[P_SIG] = (struct pollfd){ m->sigfd, POLLIN, 0 };
        pf[P_LISTEN] = (struct pollfd){ m->listen_fd, POLLIN, 0 };
        pf[P_OUT] = (struct pollfd){ m->out_fd, POLLIN, 0 };
        pf[P_ERR] = (struct pollfd){ m->err_fd, POLLIN, 0 };
        pf[P_MASTER] = (struct pollfd){ m->master_fd, POLLIN, 0 };
        pf[P_CONSOLE] = (struct pollfd){ m->console_fd, POLLIN, 0 };
        pf[P_STDIN] = (struct pollfd){ stdin_busy ? m->stdin_fd : -1, POLLOUT, 0 };
        for (size_t i = 0; i < m->n_clients; i++) {
            struct client *c = &m->clients[i];
            /* POLLHUP still reports a client that leaves while we do not read it */
            short ev = (short)((stdin_busy ? 0 : POLLIN) | (c->pend ? POLLOUT : 0));
            pf[P_CLIENTS + i] = (struct pollfd){ c->fd, ev, 0 };
        }
        proxy_poll_fill(m, pf + P_CLIENTS + m->n_clients);
        int r = poll(pf, need, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            break; /* cannot happen with valid fds; finish rather than spin */
        }
        if (pf[P_SIG].revents) reap(m);
        if (pf[P_OUT].revents) pump(m, &m->out_fd, 1);
        if (pf[P_ERR].revents) pump(m, &m->err_fd, 2);
        if (pf[P_MASTER].revents && m->master_fd >= 0) pump(m, &m->master_fd, 1);
        if (pf[P_CONSOLE].revents && m->console_fd >= 0) receive_master(m);
        if (pf[P_STDIN].revents) stdin_write_pending(m);
        proxy_poll_handle(m, pf + P_CLIENTS + m->n_clients);
        size_t n = m->n_clients; /* accept adds to the end: those were not polled */
        for (size_t i = 0; i < n; i++) {
            struct client *c = &m->clients[i];
            short rev = pf[P_CLIENTS + i].revents;
            if (rev & POLLOUT) attach_flush(c);
            if (rev & (POLLIN | POLLHUP | POLLERR)) attach_read(m, c);
        }
        if (pf[P_LISTEN].revents) attach_accept(m);
        attach_reap(m);
    }
    free(pf);

    /* Init is gone: no more input, then everything it (and the rest of its PID namespace)
     * wrote, so that the log and the clients see the last line before the exit code. */
    m->stdin_open = 0;
    if (m->stdin_fd >= 0 && m->stdin_fd != m->master_fd) close(m->stdin_fd);
    m->stdin_fd = -1;
    if (m->console_fd >= 0) {
        fcntl(m->console_fd, F_SETFL, O_NONBLOCK);
        receive_master(m);
    }
    uint64_t give_up = now_ns() + DRAIN_MAX_NS;
    while ((m->out_fd >= 0 || m->err_fd >= 0 || m->master_fd >= 0) && now_ns() < give_up) {
        struct pollfd d[3] = { { m->out_fd, POLLIN, 0 }, { m->err_fd, POLLIN, 0 }, { m->master_fd, POLLIN, 0 } };
        int r = poll(d, 3, DRAIN_IDLE_MS);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (d[0].revents) pump(m, &m->out_fd, 1);
        if (d[1].revents) pump(m, &m->err_fd, 2);
        if (d[2].revents && m->master_fd >= 0) pump(m, &m->master_fd, 1);
        attach_reap(m);
    }
}
