#define _GNU_SOURCE
#include "berth_child.h"

#include "berth_fs.h"
#include "berth_proc.h"
#include "berth_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define STEP(s, call)                                          \
    do {                                                       \
        if ((call) < 0) berth_proc_fail(p->err_fd, (s));       \
    } while (0)

#define BIND_SETTABLE (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | \
                       MS_RELATIME | MS_STRICTATIME)
#define PROPAGATION (MS_PRIVATE | MS_SLAVE | MS_SHARED | MS_UNBINDABLE)

void *berth_child_stack_alloc(size_t size) {
    void *s = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE,
                   -1, 0);
    return s == MAP_FAILED ? NULL : s;
}

void berth_child_stack_free(void *stack, size_t size) {
    if (stack) munmap(stack, size);
}

/* One `mount` record: the target is created/opened inside the rootfs, and the mount goes onto
 * /proc/self/fd/N of that O_PATH fd, so the kernel never walks an image path itself. */
static void do_mount(const struct berth_child_plan *p, int rootfd, const struct berth_child_op *op) {
    char fdpath[32];
    int fd = berth_fs_create_in_root(rootfd, op->target, 0, 0);
    if (fd < 0) berth_proc_fail(p->err_fd, BERTH_STEP_MOUNT_TARGET);
    const char *data = op->data && op->data[0] ? op->data : NULL;
    int bind = (op->flags & MS_BIND) != 0;
    if (bind)
        STEP(BERTH_STEP_MOUNT, mount(op->source, berth_fs_fd_path(fdpath, fd), NULL,
                                     MS_BIND | (op->flags & MS_REC), NULL));
    else
        STEP(BERTH_STEP_MOUNT, mount(op->source, berth_fs_fd_path(fdpath, fd), op->type,
                                     op->flags & ~(unsigned long)PROPAGATION, data));
    close(fd);
    unsigned long settable = op->flags & BIND_SETTABLE;
    unsigned long propagation = op->flags & PROPAGATION;
    if (!(bind && settable) && !propagation) return;
    /* the old fd names the directory under the new mount: reopen to reach the mount itself */
    fd = berth_fs_open_in_root(rootfd, op->target, O_PATH);
    if (fd < 0) berth_proc_fail(p->err_fd, BERTH_STEP_REMOUNT);
    if (bind && settable)
        STEP(BERTH_STEP_REMOUNT, mount(NULL, berth_fs_fd_path(fdpath, fd), NULL,
                                       MS_REMOUNT | MS_BIND | settable, NULL));
    if (propagation)
        STEP(BERTH_STEP_REMOUNT, mount(NULL, berth_fs_fd_path(fdpath, fd), NULL,
                                       propagation | (op->flags & MS_REC), NULL));
    close(fd);
}

/* runc's default devices (mode 0666) and /dev symlinks, in a fresh /dev tmpfs. */
static int make_devices(int rootfd, const char *dir) {
    static const struct { const char *name; unsigned major, minor; } nodes[] = {
        { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
        { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
    };
    static const struct { const char *name, *target; } links[] = {
        { "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" }, { "core", "/proc/kcore" },
    };
    int dfd = berth_fs_open_in_root(rootfd, dir, O_PATH | O_DIRECTORY);
    if (dfd < 0) return -1;
    int rc = -1;
    /* mode 0666 exactly; no chmod afterwards, which would follow a symlink planted there */
    mode_t old = umask(0);
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
        if (mknodat(dfd, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0 &&
            errno != EEXIST)
            goto out;
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlinkat(links[i].target, dfd, links[i].name) < 0 && errno != EEXIST) goto out;
    rc = 0;
out: {
    int err = errno;
    umask(old);
    close(dfd);
    errno = err;
}
    return rc;
}

static int wait_sync(int fd) {
    char go;
    ssize_t n;
    do n = read(fd, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n == 1) return 0;
    if (n == 0) errno = EPIPE; /* the CLI gave up: abort */
    return -1;
}

static int child_main(void *arg) {
    const struct berth_child_plan *p = arg;

    STEP(BERTH_STEP_SIGNALS, berth_proc_reset_signals());
    /* The monitor's own fds (status pipe, attach socket, log, signalfd) must not stay open
     * here while we wait: the CLI reads the status pipe to EOF before it writes sync. */
    int keep[] = { p->sync_fd, p->err_fd, p->console_fd, p->stdin_fd, p->stdout_fd, p->stderr_fd };
    STEP(BERTH_STEP_FDS, berth_proc_keep_fds(keep, sizeof keep / sizeof keep[0]));
    STEP(BERTH_STEP_SYNC, wait_sync(p->sync_fd));
    close(p->sync_fd);
    if (p->clone_flags & CLONE_NEWCGROUP) STEP(BERTH_STEP_CGROUPNS, unshare(CLONE_NEWCGROUP));
    umask(022);

    /* nothing we mount from here on may propagate back to the host */
    STEP(BERTH_STEP_PRIVATE, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
    if (p->overlay_data) {
        /* Docker's short l/XXXX lower dirs are relative to the overlay2 directory */
        STEP(BERTH_STEP_OVERLAY, chdir(p->overlay_cwd));
        STEP(BERTH_STEP_OVERLAY, mount("overlay", p->rootfs, "overlay", 0, p->overlay_data));
    } else {
        /* pivot_root needs a mount point */
        STEP(BERTH_STEP_ROOTFS, mount(p->rootfs, p->rootfs, NULL, MS_BIND | MS_REC, NULL));
    }
    int rootfd = open(p->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) berth_proc_fail(p->err_fd, BERTH_STEP_ROOTFS);

    for (size_t i = 0; i < p->n_ops; i++) {
        const struct berth_child_op *op = &p->ops[i];
        switch (op->kind) {
        case BERTH_OP_MOUNT:
            do_mount(p, rootfd, op);
            break;
        case BERTH_OP_MKFILE: {
            int fd = berth_fs_create_in_root(rootfd, op->target, 1, op->mode);
            if (fd < 0) berth_proc_fail(p->err_fd, BERTH_STEP_MKFILE);
            close(fd);
            break;
        }
        case BERTH_OP_DEVICES:
            STEP(BERTH_STEP_DEVICES, make_devices(rootfd, op->target));
            break;
        default:
            errno = EINVAL;
            berth_proc_fail(p->err_fd, BERTH_STEP_MOUNT);
        }
    }

    /* runc's pivot_root(".", "."): the old root ends up stacked on the new one, and the lazy
     * unmount takes it (and every host mount under it) away; MS_PRIVATE above keeps that
     * from reaching the host. */
    STEP(BERTH_STEP_PIVOT, fchdir(rootfd));
    STEP(BERTH_STEP_PIVOT, berth_pivot_root(".", "."));
    STEP(BERTH_STEP_PIVOT, umount2(".", MNT_DETACH));
    STEP(BERTH_STEP_PIVOT, chdir("/"));
    close(rootfd);

    if (p->hostname && (p->clone_flags & CLONE_NEWUTS))
        STEP(BERTH_STEP_HOSTNAME, sethostname(p->hostname, strlen(p->hostname)));
    /* inside the new root now, so image symlinks can only lead to the container's own files */
    const char *cwd = p->cwd && p->cwd[0] ? p->cwd : "/";
    STEP(BERTH_STEP_CWD, berth_fs_mkdir_all(cwd));
    STEP(BERTH_STEP_CWD, chdir(cwd));

    if (p->tty)
        STEP(BERTH_STEP_CONSOLE, berth_proc_console(p->console_fd, p->rows, p->cols, p->uid));
    else
        STEP(BERTH_STEP_STDIO, berth_proc_stdio(p->stdin_fd, p->stdout_fd, p->stderr_fd));

    int32_t step;
    if (berth_proc_identity(p->uid, p->gid, p->groups, p->n_groups, &step) < 0) berth_proc_fail(p->err_fd, step);
    if (berth_child_security(&p->security, &step) < 0) berth_proc_fail(p->err_fd, step);
    STEP(BERTH_STEP_FDS, berth_proc_cloexec_from_3());
    berth_proc_exec(p->err_fd, p->exec_paths, p->argv, p->envp);
}

pid_t berth_child_clone(const struct berth_child_plan *plan) {
    if (!plan->stack || plan->stack_size < 64 * 1024 || !(plan->clone_flags & CLONE_NEWNS)) {
        errno = EINVAL;
        return -1;
    }
    sigset_t all, old;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &old);
    char *top = (char *)plan->stack + plan->stack_size;
    top = (char *)((uintptr_t)top & ~(uintptr_t)15);
    int flags = (plan->clone_flags & ~CLONE_NEWCGROUP) | SIGCHLD;
    pid_t pid = clone(child_main, top, flags, (void *)plan);
    int err = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = err;
    return pid;
}
