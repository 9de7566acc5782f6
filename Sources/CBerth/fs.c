#define _GNU_SOURCE
#include "berth_fs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IN_ROOT (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define MAX_LINKS 40

int berth_fs_open_in_root(int rootfd, const char *path, int flags) {
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
    how.resolve = IN_ROOT;
    long fd;
    do fd = syscall(SYS_openat2, rootfd, path, &how, sizeof how);
    while (fd < 0 && (errno == EINTR || errno == EAGAIN)); /* EAGAIN: a rename raced the lookup */
    return (int)fd;
}

char *berth_fs_fd_path(char *buf, int fd) {
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    int n = 0;
    unsigned v = (unsigned)fd;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(buf, prefix, sizeof prefix - 1);
    char *p = buf + sizeof prefix - 1;
    while (n) *p++ = digits[--n];
    *p = 0;
    return buf;
}

/* Copies a + b + c into out (PATH_MAX); -1/ENAMETOOLONG when it does not fit. */
static int join3(char *out, const char *a, size_t alen, const char *b, const char *c) {
    size_t blen = strlen(b), clen = strlen(c);
    if (alen + blen + clen + 2 > PATH_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char tmp[PATH_MAX];
    size_t n = 0;
    memcpy(tmp + n, a, alen), n += alen;
    if (n && tmp[n - 1] != '/' && blen && b[0] != '/') tmp[n++] = '/';
    memcpy(tmp + n, b, blen), n += blen;
    if (clen && c[0] != '/' && n && tmp[n - 1] != '/') tmp[n++] = '/';
    memcpy(tmp + n, c, clen), n += clen;
    tmp[n] = 0;
    memcpy(out, tmp, n + 1);
    return 0;
}

/* One round: finds the first component of `cur` that does not resolve and either creates it
 * or, when it is a dangling symlink, rewrites `cur` with the link's target spliced in.
 * Returns 0 to retry the whole path, 1 when `cur` was rewritten by a symlink, -1 on error. */
static int make_first_missing(int rootfd, char *cur, int file, mode_t mode) {
    int parent = rootfd;
    size_t s = 0;
    int rc = -1;
    for (;;) {
        while (cur[s] == '/') s++;
        if (!cur[s]) { /* everything resolves now (a race): just retry */
            rc = 0;
            break;
        }
        size_t e = s;
        while (cur[e] && cur[e] != '/') e++;
        char saved = cur[e];
        cur[e] = 0;
        int fd = berth_fs_open_in_root(rootfd, cur, O_PATH);
        int err = errno;
        char name[NAME_MAX + 1];
        size_t nlen = e - s;
        if (nlen > NAME_MAX) nlen = NAME_MAX;
        memcpy(name, cur + s, nlen);
        name[nlen] = 0;
        cur[e] = saved;
        if (fd >= 0) {
            if (parent != rootfd) close(parent);
            parent = fd;
            s = e;
            continue;
        }
        if (err != ENOENT) {
            errno = err;
            break;
        }
        /* `name` does not resolve inside `parent`: missing, or a dangling symlink */
        size_t t = e;
        while (cur[t] == '/') t++;
        int last = cur[t] == 0;
        struct stat st;
        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if (!S_ISLNK(st.st_mode)) {
                errno = ENOENT; /* exists but does not resolve: give up rather than loop */
                break;
            }
            char link[PATH_MAX];
            ssize_t n = readlinkat(parent, name, link, sizeof link - 1);
            if (n < 0) break;
            link[n] = 0;
            /* absolute targets restart at the container's root; relative ones at the
             * component's directory (the textual prefix resolves to `parent` again) */
            if (join3(cur, link[0] == '/' ? "" : cur, link[0] == '/' ? 0 : s, link, cur + e) < 0) break;
            rc = 1;
            break;
        }
        if (errno != ENOENT) break;
        int made;
        if (last && file) {
            made = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
            if (made >= 0) close(made);
        } else {
            made = mkdirat(parent, name, 0755);
        }
        if (made < 0 && errno != EEXIST) break;
        rc = 0;
        break;
    }
    if (parent != rootfd) {
        int err = errno;
        close(parent);
        errno = err;
    }
    return rc;
}

int berth_fs_create_in_root(int rootfd, const char *path, int file, mode_t mode) {
    char cur[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof cur) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(cur, path, len + 1);
    int links = 0;
    /* each round creates one component or follows one link, so this terminates */
    for (int round = 0; round < 4 * MAX_LINKS + 256; round++) {
        int fd = berth_fs_open_in_root(rootfd, cur, O_PATH);
        if (fd >= 0 || errno != ENOENT) return fd;
        int rc = make_first_missing(rootfd, cur, file, mode);
        if (rc < 0) return -1;
        if (rc == 1 && ++links > MAX_LINKS) break;
    }
    errno = ELOOP;
    return -1;
}

int berth_fs_mkdir_all(const char *path) {
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != 0) continue;
        if (buf[i - 1] == '/') continue;
        char c = buf[i];
        buf[i] = 0;
        if (mkdir(buf, 0755) < 0 && errno != EEXIST) return -1;
        buf[i] = c;
    }
    return 0;
}

int berth_fs_overlay_detached(char *const *lowers, int n_lowers, const char *upper, const char *work) {
    int fs = (int)syscall(SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
    if (fs < 0) return -1;
    int ok = 1;
    /* one `lowerdir+` per layer (Linux 6.8+): fsconfig strings are limited to 256 bytes, a
     * joined lowerdir list of a deep image is not */
    for (int i = 0; ok && i < n_lowers; i++)
        ok = syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) == 0;
    if (ok && upper) ok = syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) == 0;
    if (ok && work) ok = syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "workdir", work, 0) == 0;
    if (ok) ok = syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0;
    int mnt = ok ? (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0) : -1;
    int saved = errno;
    close(fs);
    errno = saved;
    return mnt;
}
