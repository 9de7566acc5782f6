#ifndef BERTH_PTY_H
#define BERTH_PTY_H

/* A new pseudo-terminal pair from the host's /dev/ptmx (both ends O_CLOEXEC | O_NOCTTY),
 * for callers that drive a program as a terminal user would (tests, the lab recorder).
 * Returns 0, or -1 with errno set. */
int berth_openpty(int *master, int *slave);

#endif
