#define _GNU_SOURCE
/* berth-monitor PLANFILE: see Documentation/Monitor.md. Reports the child's pid (or an error)
 * on fd 5, serves the container's stdio until init exits, writes the exit file and execs the
 * cleanup command. */
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct monitor mon;

static _Noreturn void fail(const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    dprintf(FD_STATUS, "error %s\n", msg);
    if (mon.listen_fd >= 0 && mon.plan.attach_path) unlink(mon.plan.attach_path);
    _exit(1);
}

/* Pipes get O_CLOEXEC on both ends (the child's ends survive until its execve, by dup2);
 * our ends are non-blocking, the child's stay blocking. */
static void make_pipe(int fds[2], int ours) {
    if (pipe2(fds, O_CLOEXEC) < 0) fail("pipe: %s", strerror(errno));
    fcntl(fds[ours], F_SETFL, O_NONBLOCK);
}

static void setup(struct monitor *m) {
    char err[512];
    struct berth_child_plan *c = &m->plan.child;
    if (log_open(&m->log, m->plan.log_path) < 0) fail("log %s: %s", m->plan.log_path, strerror(errno));
    m->buf = malloc(READ_BUF_SIZE);
    if (!m->buf) fail("out of memory");

    c->sync_fd = FD_SYNC;
    c->err_fd = FD_ERROR;
    c->console_fd = c->stdin_fd = c->stdout_fd = c->stderr_fd = -1;
    int p[2];
    if (m->plan.tty) {
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0) fail("socketpair: %s", strerror(errno));
        m->console_fd = p[0];
        c->console_fd = m->child_ends[0] = p[1];
        m->rows = c->rows;
        m->cols = c->cols;
    } else {
        if (m->plan.open_stdin) {
            make_pipe(p, 1);
            c->stdin_fd = m->child_ends[0] = p[0];
            m->stdin_fd = p[1];
        } else {
            /* the host's /dev/null: the container's may not exist (no /dev mount) */
            int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
            if (null < 0) fail("/dev/null: %s", strerror(errno));
            c->stdin_fd = m->child_ends[0] = null;
        }
        make_pipe(p, 0);
        m->out_fd = p[0];
        c->stdout_fd = m->child_ends[1] = p[1];
        make_pipe(p, 0);
        m->err_fd = p[0];
        c->stderr_fd = m->child_ends[2] = p[1];
    }
    m->stdin_open = m->plan.open_stdin;

    m->listen_fd = attach_listen(m->plan.attach_path, err, sizeof err);
    if (m->listen_fd < 0) fail("%s", err);

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    m->sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
    if (m->sigfd < 0) fail("signalfd: %s", strerror(errno));

    c->stack_size = BERTH_CHILD_STACK_SIZE;
    c->stack = berth_child_stack_alloc(c->stack_size);
    if (!c->stack) fail("child stack: %s", strerror(errno));
}

int main(int argc, char **argv) {
    struct monitor *m = &mon;
    m->sigfd = m->listen_fd = m->out_fd = m->err_fd = m->master_fd = m->console_fd = m->stdin_fd = -1;
    for (int i = 0; i < 5; i++) m->child_ends[i] = -1;
    if (argc != 2 && argc != 3) {
        dprintf(FD_STATUS, "error usage: berth-monitor PLANFILE [N_HELD_FDS]\n");
        return 2;
    }
    m->n_held = argc == 3 ? atoi(argv[2]) : 0;
    if (m->n_held < 0 || m->n_held > 64) m->n_held = 0;
    /* 0-2 must be taken (by /dev/null), or a pipe could land there and be lost to dup2 */
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) return 1;
    /* whatever else the spawner leaked would stay open for the container's whole life */
    syscall(SYS_close_range, (unsigned)(FD_HELD + m->n_held), ~0U, 0U);
    for (int fd = FD_HELD; fd < FD_HELD + m->n_held; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
    for (int fd = FD_SYNC; fd <= FD_STATUS; fd++)
        if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
            if (fd != FD_STATUS) fail("fd %d is not open", fd);
            return 1;
        }

    /* A terminal hang-up or a Ctrl-C in the CLI's session must not take the monitor down;
     * signals for the container go to init by pid. SIGCHLD is read from a signalfd. */
    berth_proc_reset_signals(); /* nothing ignored or blocked by whoever spawned us */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    char err[512];
    if (plan_load(argv[1], &m->plan, err, sizeof err) < 0) fail("%s", err);
    setup(m);

    m->child = berth_child_clone(&m->plan.child);
    if (m->child < 0) fail("clone: %s", strerror(errno));
    berth_child_stack_free(m->plan.child.stack, m->plan.child.stack_size);
    m->plan.child.stack = NULL;
    /* the child's ends: EOF on the pipes must mean the container closed them */
    for (int i = 0; i < 5; i++)
        if (m->child_ends[i] >= 0) close(m->child_ends[i]);
    close(FD_SYNC);
    close(FD_ERROR);
    dprintf(FD_STATUS, "%d\n", (int)m->child);
    close(FD_STATUS);

    proxy_init(m);
    monitor_run(m);
    monitor_finish(m);
}
