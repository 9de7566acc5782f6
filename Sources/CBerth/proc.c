#define _GNU_SOURCE
#include "berth_proc.h"

#include "berth_step.h"
#include "berth_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

_Noreturn void berth_proc_fail(int err_fd, int32_t step) {
    struct berth_child_error e = { step, errno };
    (void)!write(err_fd, &e, sizeof e); /* 8 bytes < PIPE_BUF: one atomic write */
    _exit(127);
}

/* The kernel's struct sigaction (x86_64, arm64): glibc's sigaction() refuses its internal
 * signals 32 and 33, which glibc's own posix_spawn leaves ignored in every child it spawns. */
struct kernel_sigaction {
    void (*handler)(int);
    unsigned long flags;
    void (*restorer)(void);
    uint64_t mask;
};

int berth_proc_reset_signals(void) {
    struct kernel_sigaction dfl = { .handler = SIG_DFL };
    for (int sig = 1; sig <= 64; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
    }
    sigset_t none;
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL);
}

static int close_range_(unsigned lo, unsigned hi, unsigned flags) {
    return (int)syscall(SYS_close_range, lo, hi, flags);
}

int berth_proc_keep_fds(int *keep, size_t n) {
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful of fds */
        for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    unsigned lo = 3;
    for (size_t i = 0; i < n; i++) {
        if (keep[i] < (int)lo) continue;
        if ((unsigned)keep[i] > lo && close_range_(lo, (unsigned)keep[i] - 1, 0) < 0) return -1;
        lo = (unsigned)keep[i] + 1;
    }
    return close_range_(lo, ~0U, 0);
}

int berth_proc_cloexec_from_3(void) {
    return close_range_(3, ~0U, CLOSE_RANGE_CLOEXEC);
}

static int dup_onto(int from, int to) {
    if (from == to) return fcntl(to, F_SETFD, 0); /* dup2 to itself keeps FD_CLOEXEC */
    return dup2(from, to);
}

int berth_proc_console(int sock, uint16_t rows, uint16_t cols, uid_t uid) {
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return -1;
    int unlock = 0;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) goto fail_master;
    /* TIOCGPTPEER opens the peer without a path lookup; /dev/pts/N is the fallback */
    int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) {
        unsigned n;
        if (ioctl(master, TIOCGPTN, &n) < 0) goto fail_master;
        char path[32] = "/dev/pts/";
        char digits[12];
        int k = 0, p = 9;
        do digits[k++] = (char)('0' + n % 10), n /= 10;
        while (n);
        while (k) path[p++] = digits[--k];
        path[p] = 0;
        slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0) goto fail_master;
    }
    if (rows && cols && berth_winsize_set(slave, rows, cols) < 0) goto fail_both;
    /* like a login: the user owns its terminal (group tty, from devpts gid=5) */
    if (uid != 0 && fchown(slave, uid, (gid_t)-1) < 0) goto fail_both;
    if (berth_send_fd(sock, master) < 0) goto fail_both;
    close(master);
    close(sock);
    if (setsid() < 0) return -1;
    if (ioctl(slave, TIOCSCTTY, 0) < 0) return -1;
    for (int fd = 0; fd < 3; fd++)
        if (dup_onto(slave, fd) < 0) return -1;
    if (slave > 2) close(slave);
    return 0;
fail_both: {
    int err = errno;
    close(slave);
    errno = err;
}
fail_master: {
    int err = errno;
    close(master);
    errno = err;
    return -1;
}
}

int berth_proc_stdio(int in, int out, int err) {
    int fds[3] = { in, out, err };
    int null = -1;
    for (int i = 0; i < 3; i++) {
        if (fds[i] >= 0) continue;
        if (null < 0 && (null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) return -1;
        fds[i] = null;
    }
    /* a source may itself sit on 0..2: move such ones out of the way first */
    for (int i = 0; i < 3; i++)
        if (fds[i] < 3 && fds[i] != i && (fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3)) < 0) return -1;
    for (int i = 0; i < 3; i++)
        if (dup_onto(fds[i], i) < 0) return -1;
    return 0;
}

int berth_proc_identity(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups, int32_t *step) {
    *step = BERTH_STEP_SETGROUPS;
    if (syscall(SYS_setgroups, n_groups, groups) < 0) return -1;
    *step = BERTH_STEP_SETGID;
    if (syscall(SYS_setresgid, gid, gid, gid) < 0) return -1;
    *step = BERTH_STEP_SETUID;
    /* keep the permitted set across a non-root setuid: berth_child_security still needs
     * CAP_SETPCAP and CAP_SYS_ADMIN for the bounding set and the seccomp filter (execve of a
     * non-root user empties it anyway) */
    if (uid != 0 && syscall(SYS_prctl, PR_SET_KEEPCAPS, 1UL, 0UL, 0UL, 0UL) < 0) return -1;
    if (syscall(SYS_setresuid, uid, uid, uid) < 0) return -1;
    return 0;
}

_Noreturn void berth_proc_exec(int err_fd, char *const *paths, char *const *argv, char *const *envp) {
    int denied = 0;
    for (size_t i = 0; paths && paths[i]; i++) {
        execve(paths[i], argv, envp);
        if (errno == ENOENT || errno == ENOTDIR) continue;
        if (errno == EACCES) {
            denied = 1;
            continue;
        }
        berth_proc_fail(err_fd, BERTH_STEP_EXEC); /* ENOEXEC, E2BIG, ...: as it is */
    }
    errno = denied ? EACCES : ENOENT;
    berth_proc_fail(err_fd, BERTH_STEP_EXEC);
}
