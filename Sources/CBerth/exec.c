#define _GNU_SOURCE
#include "berth_exec.h"

#include "berth_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CGROUP_FDS 16

/* Order matters only for mnt: last, since it changes what paths mean (we hold fds already). */
static const char *const ns_names[] = { "ipc", "uts", "net", "pid", "cgroup", "mnt" };
#define N_NS (sizeof ns_names / sizeof ns_names[0])

/* fork(2) without glibc's atfork handlers, which are not ours to run in a Swift process's
 * child (they take locks). The child only makes raw syscalls, which need none of that state. */
static pid_t raw_fork(void) {
    return (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
}

static _Noreturn void run_command(const struct berth_exec_spec *s) {
    int fd = s->err_fd;
    if (chdir(s->cwd && s->cwd[0] ? s->cwd : "/") < 0) berth_proc_fail(fd, BERTH_STEP_CWD);
    if (s->tty) {
        if (berth_proc_console(s->console_fd, s->rows, s->cols, s->uid) < 0) berth_proc_fail(fd, BERTH_STEP_CONSOLE);
    } else if (berth_proc_stdio(s->stdin_fd, s->stdout_fd, s->stderr_fd) < 0) {
        berth_proc_fail(fd, BERTH_STEP_STDIO);
    }
    int32_t step;
    if (berth_proc_identity(s->uid, s->gid, s->groups, s->n_groups, &step) < 0) berth_proc_fail(fd, step);
    if (berth_child_security(&s->security, &step) < 0) berth_proc_fail(fd, step);
    if (berth_proc_cloexec_from_3() < 0) berth_proc_fail(fd, BERTH_STEP_FDS);
    berth_proc_exec(fd, s->exec_paths, s->argv, s->envp);
}

static _Noreturn void helper(const struct berth_exec_spec *s, const int *ns, int root) {
    int efd = s->err_fd;
    if (berth_proc_reset_signals() < 0) berth_proc_fail(efd, BERTH_STEP_SIGNALS);
    /* the Swift process may hold fds without O_CLOEXEC; keep only ours */
    int keep[N_NS + 6 + MAX_CGROUP_FDS];
    size_t k = 0;
    for (size_t i = 0; i < N_NS; i++) keep[k++] = ns[i];
    keep[k++] = root;
    keep[k++] = efd;
    keep[k++] = s->console_fd;
    keep[k++] = s->stdin_fd;
    keep[k++] = s->stdout_fd;
    keep[k++] = s->stderr_fd;
    for (size_t i = 0; i < s->n_cgroup_fds; i++) keep[k++] = s->cgroup_fds[i];
    if (berth_proc_keep_fds(keep, k) < 0) berth_proc_fail(efd, BERTH_STEP_FDS);

    for (size_t i = 0; i < s->n_cgroup_fds; i++)
        if (write(s->cgroup_fds[i], "0", 1) != 1) berth_proc_fail(efd, BERTH_STEP_CGROUP);
    for (size_t i = 0; i < N_NS; i++) {
        if (setns(ns[i], 0) < 0) berth_proc_fail(efd, BERTH_STEP_SETNS);
        close(ns[i]);
    }
    /* setns(mnt) leaves us at that namespace's original root, not where init pivoted to */
    if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0) berth_proc_fail(efd, BERTH_STEP_CHROOT);
    close(root);

    pid_t pid = raw_fork();
    if (pid < 0) berth_proc_fail(efd, BERTH_STEP_FORK);
    if (pid == 0) run_command(s);

    /* Our copies must go, or the caller would never see EOF on the error pipe or stdio. */
    close(efd);
    if (s->console_fd >= 0) close(s->console_fd);
    if (s->stdin_fd >= 0) close(s->stdin_fd);
    if (s->stdout_fd >= 0) close(s->stdout_fd);
    if (s->stderr_fd >= 0) close(s->stderr_fd);
    if (s->detach) _exit(0); /* the command is reparented to the container's init */
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) _exit(127);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

pid_t berth_exec_spawn(const struct berth_exec_spec *s) {
    if (!s || s->pid <= 0 || !s->argv || !s->exec_paths || s->err_fd < 0 || s->n_cgroup_fds > MAX_CGROUP_FDS ||
        (s->n_cgroup_fds && !s->cgroup_fds) || (s->tty && s->console_fd < 0)) {
        errno = EINVAL;
        return -1;
    }
    int ns[N_NS];
    int root = -1;
    size_t opened = 0;
    char path[64];
    pid_t pid = -1;
    for (; opened < N_NS; opened++) {
        snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)s->pid, ns_names[opened]);
        if ((ns[opened] = open(path, O_RDONLY | O_CLOEXEC)) < 0) goto out;
    }
    snprintf(path, sizeof path, "/proc/%d/root", (int)s->pid);
    if ((root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) goto out;

    /* No handler (Swift's, or glibc's own for its internal signals, which pthread_sigmask
     * will not block) may run in the child before it resets them all. */
    uint64_t all = ~0ull, old;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, sizeof all);
    pid = raw_fork();
    if (pid == 0) helper(s, ns, root);
    int err = errno;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof old);
    errno = err;
out: {
    int e = errno;
    for (size_t i = 0; i < opened; i++) close(ns[i]);
    if (root >= 0) close(root);
    errno = e;
}
    return pid;
}
