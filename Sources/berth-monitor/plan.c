#define _GNU_SOURCE
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct parser {
    char *p, *end;
    char *err;
    size_t errlen;
};

static int bad(struct parser *ps, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err, ps->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int read_file(const char *path, char **out, size_t *len);

static int vec_push(struct strvec *v, char *s) {
    if (v->n + 2 > v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        char **nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) return -1;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = s;
    v->v[v->n] = NULL;
    return 0;
}

static struct berth_child_op *new_op(struct mon_plan *pl) {
    if (pl->n_ops == pl->cap_ops) {
        size_t cap = pl->cap_ops ? pl->cap_ops * 2 : 16;
        struct berth_child_op *n = realloc(pl->ops, cap * sizeof *n);
        if (!n) return NULL;
        pl->ops = n;
        pl->cap_ops = cap;
    }
    struct berth_child_op *op = &pl->ops[pl->n_ops++];
    memset(op, 0, sizeof *op);
    return op;
}

static int parse_ulong(const char *s, int base, unsigned long max, unsigned long *out) {
    char *end;
    errno = 0;
    if (!*s || *s == '-') return -1;
    unsigned long v = strtoul(s, &end, base);
    if (errno || *end || v > max) return -1;
    *out = v;
    return 0;
}

static int parse_namespaces(struct parser *ps, const char *list, int32_t *flags) {
    static const struct { const char *name; int flag; } names[] = {
        { "mnt", CLONE_NEWNS }, { "pid", CLONE_NEWPID }, { "uts", CLONE_NEWUTS },
        { "ipc", CLONE_NEWIPC }, { "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
    };
    *flags = 0;
    const char *s = list;
    while (*s) {
        size_t len = strcspn(s, ",");
        size_t i;
        for (i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == len && !strncmp(names[i].name, s, len)) break;
        if (i == sizeof names / sizeof names[0]) return bad(ps, "unknown namespace in \"%s\"", list);
        *flags |= names[i].flag;
        s += len;
        if (*s == ',') s++;
    }
    return 0;
}

static int parse_groups(struct parser *ps, struct mon_plan *pl, char *list) {
    size_t n = 0, cap = 0;
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        unsigned long g;
        if (parse_ulong(tok, 10, 0xfffffffeUL, &g) < 0) return bad(ps, "bad group id \"%s\"", tok);
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            gid_t *ng = realloc(pl->groups, cap * sizeof *ng);
            if (!ng) return bad(ps, "out of memory");
            pl->groups = ng;
        }
        pl->groups[n++] = (gid_t)g;
    }
    pl->child.groups = pl->groups;
    pl->child.n_groups = n;
    return 0;
}

/* The next NUL-terminated field, or NULL when the file ends first. */
static char *field(struct parser *ps) {
    if (ps->p >= ps->end) return NULL;
    char *nul = memchr(ps->p, 0, (size_t)(ps->end - ps->p));
    if (!nul) return NULL;
    char *s = ps->p;
    ps->p = nul + 1;
    return s;
}

/* The security records: capabilities, no_new_privs, the seccomp BPF file, masked and
 * read-only paths, a read-only root, device nodes. */
static int parse_security(struct parser *ps, struct mon_plan *pl, const char *key, char **f) {
    struct berth_security *s = &pl->child.security;
    unsigned long v[5];
    if (!strcmp(key, "caps")) {
        uint64_t *masks[5] = { &s->cap_bounding, &s->cap_effective, &s->cap_permitted, &s->cap_inheritable,
                               &s->cap_ambient };
        for (int i = 0; i < 5; i++) {
            unsigned long m;
            if (parse_ulong(f[i], 16, ~0UL, &m) < 0) return bad(ps, "bad capability mask \"%s\"", f[i]);
            *masks[i] = m;
        }
        s->flags |= BERTH_SEC_CAPS;
    } else if (!strcmp(key, "nonewprivs")) {
        if (!strcmp(f[0], "1")) s->flags |= BERTH_SEC_NO_NEW_PRIVS;
    } else if (!strcmp(key, "readonlyrootfs")) {
        if (!strcmp(f[0], "1")) s->flags |= BERTH_SEC_READONLY_ROOT;
    } else if (!strcmp(key, "seccomp")) {
        size_t len;
        free(pl->seccomp_bpf);
        pl->seccomp_bpf = NULL;
        if (read_file(f[0], &pl->seccomp_bpf, &len) < 0)
            return bad(ps, "cannot read seccomp filter %s: %s", f[0], strerror(errno));
        if (len == 0 || len % 8 || len / 8 > 4096)
            return bad(ps, "seccomp filter %s is not a BPF program (%zu bytes)", f[0], len);
        s->seccomp_filter = pl->seccomp_bpf;
        s->seccomp_len = (uint32_t)(len / 8);
    } else if (!strcmp(key, "maskpath") || !strcmp(key, "readonlypath")) {
        if (f[0][0] != '/') return bad(ps, "%s must be absolute: \"%s\"", key, f[0]);
        if (vec_push(key[0] == 'm' ? &pl->masked : &pl->readonly, f[0]) < 0) return bad(ps, "out of memory");
    } else if (!strcmp(key, "device")) {
        if (f[0][0] != '/') return bad(ps, "device path must be absolute: \"%s\"", f[0]);
        if (strcmp(f[1], "c") && strcmp(f[1], "b")) return bad(ps, "bad device type \"%s\"", f[1]);
        if (parse_ulong(f[2], 10, 0xfffff, &v[0]) < 0 || parse_ulong(f[3], 10, 0xfffff, &v[1]) < 0 ||
            parse_ulong(f[4], 8, 07777, &v[2]) < 0 || parse_ulong(f[5], 10, 0xfffffffeUL, &v[3]) < 0 ||
            parse_ulong(f[6], 10, 0xfffffffeUL, &v[4]) < 0)
            return bad(ps, "bad device record for \"%s\"", f[0]);
        if (pl->n_devices == pl->cap_devices) {
            size_t cap = pl->cap_devices ? pl->cap_devices * 2 : 64;
            struct berth_device *n = realloc(pl->devices, cap * sizeof *n);
            if (!n) return bad(ps, "out of memory");
            pl->devices = n;
            pl->cap_devices = cap;
        }
        struct berth_device *d = &pl->devices[pl->n_devices++];
        d->path = f[0];
        d->mode = (uint32_t)v[2] | (f[1][0] == 'c' ? S_IFCHR : S_IFBLK);
        d->major = (uint32_t)v[0];
        d->minor = (uint32_t)v[1];
        d->uid = (uint32_t)v[3];
        d->gid = (uint32_t)v[4];
    }
    return 0;
}

static int parse_record(struct parser *ps, struct mon_plan *pl, const char *key) {
    static const struct { const char *key; int fields; } keys[] = {
        { "rootfs", 1 }, { "overlay", 2 }, { "namespaces", 1 }, { "mount", 5 }, { "mkfile", 2 },
        { "hostname", 1 }, { "cwd", 1 }, { "user", 3 }, { "arg", 1 }, { "env", 1 }, { "exec", 1 },
        { "tty", 1 }, { "stdin", 1 }, { "winsize", 2 }, { "log", 1 }, { "attach", 1 },
        { "exitfile", 1 }, { "cleanup", 1 },
        { "caps", 5 }, { "nonewprivs", 1 }, { "seccomp", 1 }, { "maskpath", 1 }, { "readonlypath", 1 },
        { "readonlyrootfs", 1 }, { "device", 7 },
    };
    size_t k;
    for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (!strcmp(keys[k].key, key)) break;
    if (k == sizeof keys / sizeof keys[0]) return bad(ps, "unknown plan key \"%s\"", key);
    char *f[7];
    for (int i = 0; i < keys[k].fields; i++)
        if (!(f[i] = field(ps))) return bad(ps, "plan record \"%s\" is cut short", key);
    struct berth_child_plan *c = &pl->child;
    unsigned long v, v2;

    if (!strcmp(key, "rootfs")) {
        if (f[0][0] != '/') return bad(ps, "rootfs must be absolute: \"%s\"", f[0]);
        c->rootfs = f[0];
    } else if (!strcmp(key, "overlay")) {
        c->overlay_cwd = f[0];
        c->overlay_data = f[1];
    } else if (!strcmp(key, "namespaces")) {
        if (parse_namespaces(ps, f[0], &c->clone_flags) < 0) return -1;
    } else if (!strcmp(key, "mount")) {
        if (f[2][0] != '/') return bad(ps, "mount target must be absolute: \"%s\"", f[2]);
        if (parse_ulong(f[3], 10, ~0UL, &v) < 0) return bad(ps, "bad mount flags \"%s\"", f[3]);
        struct berth_child_op *op = new_op(pl);
        if (!op) return bad(ps, "out of memory");
        op->kind = BERTH_OP_MOUNT;
        op->type = f[0];
        op->source = f[1];
        op->target = f[2];
        op->flags = v | (!strcmp(f[0], "bind") ? MS_BIND : 0);
        op->data = f[4];
        /* Devices are created right after the /dev tmpfs, before devpts and binds below it. */
        if (!strcmp(f[0], "tmpfs") && !strcmp(f[2], "/dev")) {
            struct berth_child_op *dev = new_op(pl);
            if (!dev) return bad(ps, "out of memory");
            dev->kind = BERTH_OP_DEVICES;
            dev->target = "/dev";
        }
    } else if (!strcmp(key, "mkfile")) {
        if (f[0][0] != '/') return bad(ps, "mkfile path must be absolute: \"%s\"", f[0]);
        if (parse_ulong(f[1], 8, 07777, &v) < 0) return bad(ps, "bad mkfile mode \"%s\"", f[1]);
        struct berth_child_op *op = new_op(pl);
        if (!op) return bad(ps, "out of memory");
        op->kind = BERTH_OP_MKFILE;
        op->target = f[0];
        op->mode = (uint32_t)v;
    } else if (!strcmp(key, "hostname")) {
        c->hostname = f[0];
    } else if (!strcmp(key, "cwd")) {
        c->cwd = f[0];
    } else if (!strcmp(key, "user")) {
        if (parse_ulong(f[0], 10, 0xfffffffeUL, &v) < 0) return bad(ps, "bad uid \"%s\"", f[0]);
        if (parse_ulong(f[1], 10, 0xfffffffeUL, &v2) < 0) return bad(ps, "bad gid \"%s\"", f[1]);
        c->uid = (uid_t)v;
        c->gid = (gid_t)v2;
        if (parse_groups(ps, pl, f[2]) < 0) return -1;
    } else if (!strcmp(key, "arg") || !strcmp(key, "env") || !strcmp(key, "exec") || !strcmp(key, "cleanup")) {
        struct strvec *vec = key[0] == 'a' ? &pl->argv : key[0] == 'e' && key[1] == 'n' ? &pl->envp
                           : key[0] == 'e' ? &pl->exec : &pl->cleanup;
        if (vec_push(vec, f[0]) < 0) return bad(ps, "out of memory");
    } else if (!strcmp(key, "tty")) {
        pl->tty = !strcmp(f[0], "1");
    } else if (!strcmp(key, "stdin")) {
        pl->open_stdin = !strcmp(f[0], "1");
    } else if (!strcmp(key, "winsize")) {
        if (parse_ulong(f[0], 10, 0xffff, &v) < 0 || parse_ulong(f[1], 10, 0xffff, &v2) < 0)
            return bad(ps, "bad winsize \"%s %s\"", f[0], f[1]);
        c->rows = (uint16_t)v;
        c->cols = (uint16_t)v2;
    } else if (!strcmp(key, "log")) {
        pl->log_path = f[0];
    } else if (!strcmp(key, "attach")) {
        pl->attach_path = f[0];
    } else if (!strcmp(key, "exitfile")) {
        pl->exit_path = f[0];
    } else {
        return parse_security(ps, pl, key, f);
    }
    return 0;
}

static int read_file(const char *path, char **out, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_size > 16 * 1024 * 1024) {
        if (errno == 0) errno = EFBIG;
        close(fd);
        return -1;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf) return -1;
    buf[got] = 0;
    *out = buf;
    *len = got;
    return 0;
}

int plan_load(const char *path, struct mon_plan *pl, char *err, size_t errlen) {
    memset(pl, 0, sizeof *pl);
    size_t len;
    if (read_file(path, &pl->raw, &len) < 0) {
        snprintf(err, errlen, "cannot read plan %s: %s", path, strerror(errno));
        return -1;
    }
    struct parser ps = { pl->raw, pl->raw + len, err, errlen };
    if (len && pl->raw[len - 1] != 0) return bad(&ps, "plan does not end with a NUL byte");
    char *key;
    while ((key = field(&ps)))
        if (parse_record(&ps, pl, key) < 0) return -1;

    struct berth_child_plan *c = &pl->child;
    if (!c->rootfs) return bad(&ps, "plan has no rootfs");
    if (!(c->clone_flags & CLONE_NEWNS)) return bad(&ps, "plan namespaces must include mnt");
    if (!pl->argv.n) return bad(&ps, "plan has no arg");
    if (!pl->exec.n) return bad(&ps, "plan has no exec candidate");
    if (!pl->log_path || !pl->attach_path || !pl->exit_path)
        return bad(&ps, "plan needs log, attach and exitfile");
    static char *const empty[] = { NULL };
    c->ops = pl->ops;
    c->n_ops = pl->n_ops;
    c->argv = pl->argv.v;
    c->envp = pl->envp.n ? pl->envp.v : empty;
    c->exec_paths = pl->exec.v;
    c->tty = pl->tty;
    if (pl->tty) c->security.flags |= BERTH_SEC_CONSOLE;
    c->security.masked_paths = (const char *const *)pl->masked.v;
    c->security.n_masked = pl->masked.n;
    c->security.readonly_paths = (const char *const *)pl->readonly.v;
    c->security.n_readonly = pl->readonly.n;
    c->security.devices = pl->devices;
    c->security.n_devices = pl->n_devices;
    return 0;
}
