#define _GNU_SOURCE
#include "berth_security.h"

#include "berth_fs.h"
#include "berth_step.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* Everything here runs after clone/fork: raw syscalls and stack buffers only. */

struct caps {
    uint64_t eff, prm, inh;
};

static int caps_get(struct caps *c) {
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) < 0) return -1;
    c->eff = (uint64_t)d[1].effective << 32 | d[0].effective;
    c->prm = (uint64_t)d[1].permitted << 32 | d[0].permitted;
    c->inh = (uint64_t)d[1].inheritable << 32 | d[0].inheritable;
    return 0;
}

static int caps_set(const struct caps *c) {
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = {
        { (uint32_t)c->eff, (uint32_t)c->prm, (uint32_t)c->inh },
        { (uint32_t)(c->eff >> 32), (uint32_t)(c->prm >> 32), (uint32_t)(c->inh >> 32) },
    };
    return (int)syscall(SYS_capset, &h, d);
}

static int fail(int32_t *step, int32_t s) {
    *step = s;
    return -1;
}

/* Flags a bind remount must repeat (it replaces the per-mount flags with what it is given). */
static unsigned long kept_flags(int fd) {
    struct statfs st;
    if (fstatfs(fd, &st) < 0) return MS_NOSUID | MS_NODEV | MS_NOEXEC;
    return (unsigned long)st.f_flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME);
}

/* runc's maskPath: /dev/null over a file, an empty read-only tmpfs over a directory. Paths
 * the kernel does not have (/proc/timer_stats on 6.x) are skipped. */
static int mask_path(int root, const char *path, int32_t *step) {
    char fdpath[32];
    int fd = berth_fs_open_in_root(root, path, O_PATH);
    if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : fail(step, BERTH_STEP_MOUNT_TARGET);
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0) {
        if (S_ISDIR(st.st_mode))
            rc = mount("tmpfs", berth_fs_fd_path(fdpath, fd), "tmpfs", MS_RDONLY, "size=0");
        else
            rc = mount("/dev/null", berth_fs_fd_path(fdpath, fd), NULL, MS_BIND, NULL);
    }
    int err = errno;
    close(fd);
    errno = err;
    return rc < 0 ? fail(step, BERTH_STEP_MOUNT) : 0;
}

/* runc's readonlyPath: a bind of the path onto itself, remounted read-only. */
static int readonly_path(int root, const char *path, int32_t *step) {
    char fdpath[32];
    int fd = berth_fs_open_in_root(root, path, O_PATH);
    if (fd < 0) return errno == ENOENT || errno == ENOTDIR ? 0 : fail(step, BERTH_STEP_MOUNT_TARGET);
    int rc = mount(berth_fs_fd_path(fdpath, fd), fdpath, NULL, MS_BIND | MS_REC, NULL);
    int err = errno;
    close(fd);
    if (rc < 0) {
        errno = err;
        return fail(step, BERTH_STEP_MOUNT);
    }
    /* the old fd names what is under the new bind: reopen to reach the bind itself */
    fd = berth_fs_open_in_root(root, path, O_PATH);
    if (fd < 0) return fail(step, BERTH_STEP_REMOUNT);
    rc = mount(NULL, berth_fs_fd_path(fdpath, fd), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(fd), NULL);
    err = errno;
    close(fd);
    errno = err;
    return rc < 0 ? fail(step, BERTH_STEP_REMOUNT) : 0;
}

static int make_device(int root, const struct berth_device *d, int32_t *step) {
    char dir[PATH_MAX];
    size_t len = strlen(d->path);
    const char *slash = strrchr(d->path, '/');
    if (!slash || len >= sizeof dir || !slash[1]) {
        errno = EINVAL;
        return fail(step, BERTH_STEP_DEVICES);
    }
    size_t dlen = (size_t)(slash - d->path);
    memcpy(dir, d->path, dlen);
    dir[dlen ? dlen : 1] = 0;
    if (!dlen) dir[0] = '/';
    int dfd = berth_fs_create_in_root(root, dir, 0, 0);
    if (dfd < 0) return fail(step, BERTH_STEP_DEVICES);
    int rc = mknodat(dfd, slash + 1, d->mode, makedev(d->major, d->minor));
    if (rc < 0 && errno == EEXIST) rc = 0;
    if (rc == 0) rc = fchownat(dfd, slash + 1, d->uid, d->gid, AT_SYMLINK_NOFOLLOW);
    int err = errno;
    close(dfd);
    errno = err;
    return rc < 0 ? fail(step, BERTH_STEP_DEVICES) : 0;
}

/* Docker's /dev/console with -t: the container's terminal (already on fd 0) bound over it. */
static int console(int root, int32_t *step) {
    char fdpath[32];
    int fd = berth_fs_create_in_root(root, "/dev/console", 1, 0600);
    if (fd < 0) return fail(step, BERTH_STEP_MOUNT_TARGET);
    int rc = mount("/proc/self/fd/0", berth_fs_fd_path(fdpath, fd), NULL, MS_BIND, NULL);
    int err = errno;
    close(fd);
    errno = err;
    return rc < 0 ? fail(step, BERTH_STEP_MOUNT) : 0;
}

static int filesystem(const struct berth_security *s, int32_t *step) {
    if (!s->n_devices && !s->n_masked && !s->n_readonly && !(s->flags & (BERTH_SEC_READONLY_ROOT | BERTH_SEC_CONSOLE)))
        return 0;
    int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) return fail(step, BERTH_STEP_MOUNT_TARGET);
    int rc = 0;
    mode_t old = umask(0); /* device modes exactly as given */
    for (size_t i = 0; rc == 0 && i < s->n_devices; i++) rc = make_device(root, &s->devices[i], step);
    umask(old);
    if (rc == 0 && (s->flags & BERTH_SEC_CONSOLE)) rc = console(root, step);
    for (size_t i = 0; rc == 0 && i < s->n_masked; i++) rc = mask_path(root, s->masked_paths[i], step);
    for (size_t i = 0; rc == 0 && i < s->n_readonly; i++) rc = readonly_path(root, s->readonly_paths[i], step);
    if (rc == 0 && (s->flags & BERTH_SEC_READONLY_ROOT)) {
        /* the root mount only: /dev, /proc, /etc/hosts and friends stay writable, as in Docker */
        rc = mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | kept_flags(root), NULL);
        if (rc < 0) fail(step, BERTH_STEP_REMOUNT);
    }
    int err = errno;
    close(root);
    errno = err;
    return rc;
}

static int install_filter(const struct berth_security *s, int32_t *step) {
    struct sock_fprog prog = { (unsigned short)s->seccomp_len, (struct sock_filter *)s->seccomp_filter };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0) return 0;
    if (errno == ENOSYS && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0) return 0;
    return fail(step, BERTH_STEP_SECCOMP);
}

/* The final sets (never more than what we hold: the host's bounding set may lack some, such
 * as CAP_SYS_RESOURCE here), then the ambient ones, which need permitted and inheritable. */
static int final_caps(const struct berth_security *s, const struct caps *held, int32_t *step) {
    struct caps c = {
        s->cap_effective & s->cap_permitted & held->prm,
        s->cap_permitted & held->prm,
        s->cap_inheritable & s->cap_bounding & (held->inh | held->prm),
    };
    if (caps_set(&c) < 0) return fail(step, BERTH_STEP_CAPS);
    for (int cap = 0; cap < 64; cap++) {
        if (!(s->cap_ambient >> cap & 1) || !((c.prm & c.inh) >> cap & 1)) continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) return fail(step, BERTH_STEP_CAPS);
    }
    return 0;
}

int berth_child_security(const struct berth_security *s, int32_t *step) {
    if (!s) return 0;
    int caps = (s->flags & BERTH_SEC_CAPS) != 0;
    int nnp = (s->flags & BERTH_SEC_NO_NEW_PRIVS) != 0;
    int filter = s->seccomp_filter && s->seccomp_len;
    int fs = s->n_devices || s->n_masked || s->n_readonly || (s->flags & (BERTH_SEC_READONLY_ROOT | BERTH_SEC_CONSOLE));
    if (!caps && !nnp && !filter && !fs) return 0;

    /* setuid to a non-root user kept the permitted set (PR_SET_KEEPCAPS) but emptied the
     * effective one: take it back for the mounts, the bounding set and the filter */
    struct caps held;
    if (caps_get(&held) < 0) return fail(step, BERTH_STEP_CAPS);
    if (held.eff != held.prm) {
        held.eff = held.prm;
        if (caps_set(&held) < 0) return fail(step, BERTH_STEP_CAPS);
    }
    if (filesystem(s, step) < 0) return -1;

    if (caps) {
        for (int cap = 0; cap < 64; cap++) {
            if (s->cap_bounding >> cap & 1) continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                if (errno == EINVAL) break; /* past the kernel's last capability */
                return fail(step, BERTH_STEP_CAPS);
            }
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
            return fail(step, BERTH_STEP_CAPS);
    }
    if (nnp) {
        /* runc's order with no_new_privs: seccomp as late as possible, so the filter need not
         * allow capset or prctl */
        if (caps && final_caps(s, &held, step) < 0) return -1;
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail(step, BERTH_STEP_NO_NEW_PRIVS);
        if (filter && install_filter(s, step) < 0) return -1;
    } else {
        /* without no_new_privs, loading a filter needs CAP_SYS_ADMIN: load it while we still
         * hold it (Docker's profile allows the capset that follows) */
        if (filter && install_filter(s, step) < 0) return -1;
        if (caps && final_caps(s, &held, step) < 0) return -1;
    }
    return 0;
}

int berth_cap_last(void) {
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 40;
    char buf[16];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 40;
    int v = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) v = v * 10 + (buf[i] - '0');
    return v > 0 && v < 64 ? v : 40;
}

int berth_memfd(const char *name) {
    return (int)syscall(SYS_memfd_create, name, 1U /* MFD_CLOEXEC */);
}

uint32_t berth_dev_major(uint64_t dev) {
    return major((dev_t)dev);
}

uint32_t berth_dev_minor(uint64_t dev) {
    return minor((dev_t)dev);
}
