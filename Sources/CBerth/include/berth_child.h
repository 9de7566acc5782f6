#ifndef BERTH_CHILD_H
#define BERTH_CHILD_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth_security.h"
#include "berth_step.h"

/* The container's init, cloned by the monitor (Documentation/Monitor.md, "The child").
 * Everything the child needs is in the plan, built before clone; after clone the child
 * makes raw syscalls only and reports a failure as struct berth_child_error on err_fd. */

enum berth_child_op_kind {
    BERTH_OP_MOUNT = 1,  /* mount `type` `source` on `target` with `flags` and `data` */
    BERTH_OP_MKFILE,     /* create `target` as an empty file with `mode` if missing (bind target) */
    BERTH_OP_DEVICES,    /* device nodes and /dev symlinks in the directory `target` */
};

/* One filesystem step, done in order inside the rootfs before pivot_root. Targets are paths
 * inside the container, resolved with openat2(RESOLVE_IN_ROOT). */
struct berth_child_op {
    int32_t kind;          /* enum berth_child_op_kind */
    uint32_t mode;         /* MKFILE: permission bits */
    const char *target;
    const char *type;      /* MOUNT: filesystem type, or "bind" */
    const char *source;    /* MOUNT: device/fs name, or the host path of a bind */
    unsigned long flags;   /* MOUNT: MS_*; a bind is MS_BIND (+MS_REC); MS_RDONLY, MS_NOSUID,
                              MS_NODEV, MS_NOEXEC on a bind mean a second, remount step */
    const char *data;      /* MOUNT: options string, NULL or "" for none */
};

struct berth_child_plan {
    const char *rootfs;        /* host path of the directory that becomes / */
    const char *overlay_cwd;   /* NULL: self-bind rootfs instead of mounting an overlay */
    const char *overlay_data;
    const struct berth_child_op *ops;
    size_t n_ops;
    int32_t clone_flags;       /* CLONE_NEW*; must include CLONE_NEWNS. CLONE_NEWCGROUP is
                                  done by unshare after the sync byte, so the namespace is
                                  rooted at the cgroup the CLI moved us into meanwhile */
    const char *hostname;      /* NULL: keep (set only with CLONE_NEWUTS) */
    const char *cwd;           /* created if missing; NULL: "/" */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t n_groups;
    char *const *argv;         /* NULL-terminated */
    char *const *envp;         /* NULL-terminated */
    char *const *exec_paths;   /* NULL-terminated candidates, in PATH order */
    int32_t tty;               /* 1: PTY from the container's /dev/ptmx, master sent on console_fd */
    uint16_t rows, cols;       /* initial PTY size; 0: leave */
    int32_t sync_fd;           /* read end: one byte = go, EOF = abort */
    int32_t err_fd;            /* write end, O_CLOEXEC */
    int32_t console_fd;        /* tty: unix socket end for SCM_RIGHTS; else -1 */
    int32_t stdin_fd, stdout_fd, stderr_fd; /* !tty: dup2'd onto 0, 1, 2; -1 = container /dev/null */
    void *stack;               /* berth_child_stack_alloc */
    size_t stack_size;
    struct berth_security security;
};

/* An mmap'd stack for clone (only touched pages count in RSS). NULL on failure. */
void *berth_child_stack_alloc(size_t size);
void berth_child_stack_free(void *stack, size_t size);
#define BERTH_CHILD_STACK_SIZE (256 * 1024)

/* clone(2) with plan->clone_flags (minus CLONE_NEWCGROUP) | SIGCHLD, all signals blocked
 * around it. The child keeps only the fds the plan names, waits for the sync byte and sets the
 * container up (Monitor.md). Returns the child's pid, or -1 with errno. The plan and the
 * strings it points to must stay valid until this returns (the child has its own copy). Not
 * for multithreaded callers: the monitor calls it. */
pid_t berth_child_clone(const struct berth_child_plan *plan);

#endif
