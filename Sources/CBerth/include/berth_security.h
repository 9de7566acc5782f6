#ifndef BERTH_SECURITY_H
#define BERTH_SECURITY_H
#include <stdint.h>

/* What a container process gives up just before execve. Prepared entirely before clone/fork
 * (the seccomp BPF is generated with libseccomp by then). Empty for now: capabilities,
 * no_new_privs and seccomp come with the security issue; zero-fill it. */
struct berth_security {
    int32_t reserved;
};

/* The hook both the container child and berth_exec_spawn call after setuid and right before
 * execve. Async-signal-safe (raw syscalls only). Returns 0, or -1 with errno set and *step
 * set to the BERTH_STEP_* that failed. Currently does nothing. */
int berth_child_security(const struct berth_security *sec, int32_t *step);

#endif
