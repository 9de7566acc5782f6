#ifndef BERTH_SYS_H
#define BERTH_SYS_H
#include <stdint.h>
#include <sys/types.h>

/* Typed wrappers for calls Swift cannot make itself: variadic (syscall, ioctl) or missing
 * from Glibc. Each returns what the syscall returns: -1 with errno set on failure. None
 * retries EINTR; Swift's `sys` does. Every descriptor they create is O_CLOEXEC. */

/* openat2(2) with `how = {flags | O_CLOEXEC, mode, resolve}`, e.g. resolve =
 * RESOLVE_IN_ROOT (0x10) | RESOLVE_NO_MAGICLINKS (0x02) to stay inside a container's root. */
int berth_openat2(int dirfd, const char *path, int flags, uint64_t resolve);
int berth_openat2_mode(int dirfd, const char *path, int flags, uint32_t mode, uint64_t resolve);

/* pidfd_open(pid, 0): a descriptor that pins this exact process (never a recycled PID). */
int berth_pidfd_open(pid_t pid);
int berth_pidfd_send_signal(int pidfd, int sig);

/* TIOCGWINSZ / TIOCSWINSZ. */
int berth_winsize_get(int fd, uint16_t *rows, uint16_t *cols);
int berth_winsize_set(int fd, uint16_t rows, uint16_t cols);

int berth_pivot_root(const char *new_root, const char *put_old);

/* Sends `fd` over a unix socket with SCM_RIGHTS (one data byte). Async-signal-safe. */
int berth_send_fd(int sock, int fd);
/* Receives one descriptor sent by berth_send_fd (O_CLOEXEC), blocking unless the socket is
 * non-blocking. Returns it, or -1 with errno: EPIPE at EOF, EBADMSG if no fd came with the byte. */
int berth_recv_fd(int sock);

#endif
