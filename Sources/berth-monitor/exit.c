#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* temp + fsync + rename in the same directory: readers see no file or the whole file */
static void write_exit_file(const char *path, int code, uint64_t finished_ns) {
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    char line[64];
    int n = snprintf(line, sizeof line, "%d %llu\n", code, (unsigned long long)finished_ns);
    int ok = write(fd, line, (size_t)n) == n && fsync(fd) == 0;
    close(fd);
    if (!ok || rename(tmp, path) < 0) {
        unlink(tmp);
        return;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    int dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
}

_Noreturn void monitor_finish(struct monitor *m) {
    int code = WIFEXITED(m->status) ? WEXITSTATUS(m->status) : 128 + WTERMSIG(m->status);
    log_close(&m->log);
    /* release the published ports before anyone hears of the exit (as conmon does), so a
       `run -p` right after `run --rm -p` finds the port free */
    proxy_close_all(m);
    for (int fd = FD_HELD; fd < FD_HELD + m->n_held; fd++) close(fd);
    /* the exit file first: a client that got the exit frame may read the state at once */
    write_exit_file(m->plan.exit_path, code, m->finished_ns);
    /* nobody can attach to a finished container */
    if (m->listen_fd >= 0) close(m->listen_fd);
    m->listen_fd = -1;
    unlink(m->plan.attach_path);
    attach_finish(m, code);

    /* The cleanup command gets 0-2 (/dev/null) only, and default signal handling. */
    syscall(SYS_close_range, 3U, ~0U, 0U);
    struct sigaction sa = { .sa_handler = SIG_DFL };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (m->plan.cleanup.n) execve(m->plan.cleanup.v[0], m->plan.cleanup.v, environ);
    _exit(0); /* no cleanup ran: the CLI repairs the state from the exit file */
}
