#ifndef BERTH_NET_H
#define BERTH_NET_H
#include <stdint.h>
#include <sys/types.h>

/* Brings `ifname` up inside the network namespace of `pid`. The switch happens on a
 * short-lived thread of its own, because setns(CLONE_NEWNET) changes only the calling
 * thread and the Swift runtime's threads must stay in the host namespace.
 * Returns 0, or -1 with errno set. */
int berth_netns_link_up(pid_t pid, const char *ifname);

/* Inside the network namespace of `pid`: brings `lo` up, gives `ifname` the IPv4 address
 * `addr`/`prefix` (host byte order), brings it up and adds a default route via `gateway`.
 * Old-style ioctls on a thread of its own, like berth_netns_link_up: no process to spawn.
 * Returns 0, or -1 with errno set. */
int berth_netns_configure(pid_t pid, const char *ifname, uint32_t addr, int prefix, uint32_t gateway);

#endif
