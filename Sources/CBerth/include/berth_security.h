#ifndef BERTH_SECURITY_H
#define BERTH_SECURITY_H
#include <stddef.h>
#include <stdint.h>

/* What a container process gives up just before execve (Documentation/Monitor.md, "Security").
 * Prepared entirely before clone/fork: the seccomp BPF was compiled with libseccomp by the
 * Swift side and is only pointed to here. A zero-filled struct changes nothing. */

enum berth_security_flags {
    BERTH_SEC_CAPS = 1 << 0,          /* apply the five capability masks below */
    BERTH_SEC_NO_NEW_PRIVS = 1 << 1,  /* prctl(PR_SET_NO_NEW_PRIVS) */
    BERTH_SEC_READONLY_ROOT = 1 << 2, /* remount / read-only (`--read-only`; container init only) */
    BERTH_SEC_CONSOLE = 1 << 3,       /* bind the PTY on fd 0 over /dev/console (`-t`; container init only) */
};

/* A device node to create (`--privileged` copies the host's), mode includes S_IFCHR/S_IFBLK. */
struct berth_device {
    const char *path; /* inside the container, e.g. "/dev/sda" */
    uint32_t mode;
    uint32_t major, minor;
    uint32_t uid, gid;
};

struct berth_security {
    uint32_t flags;                    /* enum berth_security_flags */
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    const void *seccomp_filter;        /* struct sock_filter[seccomp_len]; NULL: no filter */
    uint32_t seccomp_len;              /* instructions (8 bytes each), <= 4096 */
    /* Container init only (exec leaves these empty): done after pivot_root, paths inside the
     * container, resolved with openat2(RESOLVE_IN_ROOT) from "/". */
    const char *const *masked_paths;   /* /dev/null bound over files, empty ro tmpfs over dirs */
    size_t n_masked;
    const char *const *readonly_paths; /* bound onto themselves read-only */
    size_t n_readonly;
    const struct berth_device *devices;
    size_t n_devices;
};

/* The hook both the container child and berth_exec_spawn call after setuid (done with
 * PR_SET_KEEPCAPS, so a non-root user still has its permitted set here) and right before
 * execve. Async-signal-safe (raw syscalls only). In order: devices, /dev/console, masked and
 * read-only paths, read-only root; bounding set, ambient cleared; then either (no_new_privs) the final
 * capabilities, no_new_privs and seccomp last, or (without it, like runc) seccomp while
 * CAP_SYS_ADMIN is still effective and the final capabilities after it, so the filter must allow
 * capset. Returns 0, or -1 with errno set and *step set to the BERTH_STEP_* that failed. */
int berth_child_security(const struct berth_security *sec, int32_t *step);

/* The highest capability this kernel knows (/proc/sys/kernel/cap_last_cap), or 40. */
int berth_cap_last(void);

/* memfd_create(name, MFD_CLOEXEC): where libseccomp exports a program before it is read back. */
int berth_memfd(const char *name);

/* major(3)/minor(3) of a dev_t, which Swift cannot call (macros). */
uint32_t berth_dev_major(uint64_t dev);
uint32_t berth_dev_minor(uint64_t dev);

#endif
