#ifndef BERTH_FD_H
#define BERTH_FD_H

/* pipe2(fds, O_CLOEXEC), which Swift's Glibc module does not export (it needs _GNU_SOURCE). */
int berth_pipe_cloexec(int fds[2]);

/* O_PATH, likewise hidden from Swift. */
int berth_o_path(void);

#endif
