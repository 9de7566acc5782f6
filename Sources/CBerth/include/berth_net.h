#ifndef BERTH_NET_H
#define BERTH_NET_H
#include <sys/types.h>

/* Brings `ifname` up inside the network namespace of `pid`. The switch happens on a
 * short-lived thread of its own, because setns(CLONE_NEWNET) changes only the calling
 * thread and the Swift runtime's threads must stay in the host namespace.
 * Returns 0, or -1 with errno set. */
int berth_netns_link_up(pid_t pid, const char *ifname);

#endif
