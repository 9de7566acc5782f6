#ifndef BERTH_PROC_H
#define BERTH_PROC_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Steps shared by the container child (child.c) and `docker exec` (exec.c). All run after
 * clone/fork and are async-signal-safe: raw syscalls, no allocation. */

/* Writes {step, errno} to err_fd in one write and _exit(127). */
_Noreturn void berth_proc_fail(int err_fd, int32_t step);

/* Every signal back to SIG_DFL (SIG_IGN survives execve), then an empty signal mask. */
int berth_proc_reset_signals(void);

/* Closes every descriptor >= 3 except those in `keep` (sorted in place; -1 entries ignored). */
int berth_proc_keep_fds(int *keep, size_t n);

/* Marks every descriptor >= 3 close-on-exec, so only 0-2 reach the command while the error
 * pipe stays usable until execve succeeds. */
int berth_proc_cloexec_from_3(void);

/* TTY: opens /dev/ptmx of the current root (the container's devpts instance), unlocks it,
 * opens the peer, sets rows/cols when non-zero, gives the slave to `uid`, sends the master
 * over `sock` (SCM_RIGHTS) and closes its copy, then setsid, TIOCSCTTY, slave onto 0, 1, 2. */
int berth_proc_console(int sock, uint16_t rows, uint16_t cols, uid_t uid);

/* dup2 of the three fds onto 0, 1, 2 (clearing close-on-exec); -1 means /dev/null of the
 * current root. */
int berth_proc_stdio(int in, int out, int err);

/* setgroups, setresgid, setresuid (raw syscalls: glibc's setxid broadcast must not run after
 * clone/fork). On failure *step says which. */
int berth_proc_identity(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups, int32_t *step);

/* execve each candidate path in order: ENOENT/ENOTDIR try the next, EACCES is remembered, any
 * other error is reported at once. Reports BERTH_STEP_EXEC with EACCES if a candidate existed
 * but was not executable, else ENOENT. Never returns. */
_Noreturn void berth_proc_exec(int err_fd, char *const *paths, char *const *argv, char *const *envp);

#endif
