#ifndef BERTH_EXEC_H
#define BERTH_EXEC_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "berth_security.h"
#include "berth_step.h"
#include "berth_sys.h"

/* `docker exec`: a process inside a running container, started from multithreaded Swift. */
struct berth_exec_spec {
    pid_t pid;                  /* the container's init (host PID) */
    const char *cwd;            /* inside the container; NULL: "/" (not created if missing) */
    uid_t uid;
    gid_t gid;
    const gid_t *groups;
    size_t n_groups;
    char *const *argv;          /* NULL-terminated */
    char *const *envp;          /* NULL-terminated */
    char *const *exec_paths;    /* NULL-terminated candidates, in PATH order */
    int32_t tty;                /* 1: PTY from the container's /dev/ptmx; master sent on console_fd */
    uint16_t rows, cols;        /* initial PTY size; 0: leave */
    int32_t console_fd;         /* tty: one end of a unix socketpair; receive with berth_recv_fd */
    int32_t stdin_fd, stdout_fd, stderr_fd; /* !tty: become 0, 1, 2; -1 = /dev/null of the container */
    int32_t err_fd;             /* write end of an O_CLOEXEC pipe: struct berth_child_error on failure */
    int32_t detach;             /* 1: the helper exits 0 at once; 0: it exits with the command's status */
    const int32_t *cgroup_fds;  /* opened cgroup.procs files of the container (<= 16); may be NULL */
    size_t n_cgroup_fds;
    struct berth_security security;
};

/* Opens /proc/PID/ns/{ipc,uts,net,pid,cgroup,mnt} and /proc/PID/root (O_CLOEXEC) here, then
 * forks a helper that writes "0" to each cgroup fd, setns()es into each namespace, chroots
 * into the container's root and forks the command, so that it is inside the PID namespace.
 * The helper and the command make raw syscalls only. Returns the helper's pid: waitpid(2) it;
 * unless detached it exits with the command's exit code, or 128 + signal. Errors (helper or
 * command) arrive as struct berth_child_error on err_fd and exit status 127; EOF with no bytes
 * on its read end means the command was exec'd (close your copy of err_fd first). The caller
 * keeps ownership of all the fds in `spec`. Returns -1 with errno if nothing was started. */
pid_t berth_exec_spawn(const struct berth_exec_spec *spec);

#endif
