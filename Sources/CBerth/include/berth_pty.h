#ifndef BERTH_PTY_H
#define BERTH_PTY_H

/* A new pseudo-terminal pair from the host's /dev/ptmx (both ends O_CLOEXEC | O_NOCTTY),
 * for callers that drive a program as a terminal user would (tests, the lab recorder).
 * Returns 0, or -1 with errno set. */
int berth_openpty(int *master, int *slave);

#include <stddef.h>

/* ptsname_r(3), which Swift's Glibc module does not export (it needs _GNU_SOURCE). */
int berth_ptsname(int master, char *buf, size_t len);

#endif
