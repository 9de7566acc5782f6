#define _GNU_SOURCE
#include "berth_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Network setup inside a container's namespace, from the CLI. setns(CLONE_NEWNET) changes only
 * the calling thread and the Swift runtime's threads must stay in the host namespace, so each
 * job runs on a short-lived thread of its own that enters the namespace and ends there. */

struct netns_job {
    int nsfd;
    int (*work)(int sock, void *arg); /* gets an AF_INET datagram socket for the ioctls */
    void *arg;
    int result, err;
};

static void *netns_thread(void *p) {
    struct netns_job *job = p;
    job->result = -1;
    if (setns(job->nsfd, CLONE_NEWNET) < 0) {
        job->err = errno;
        return NULL;
    }
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
        job->err = errno;
        return NULL;
    }
    job->result = job->work(s, job->arg);
    job->err = errno;
    close(s);
    return NULL; /* the thread ends here, and its namespace with it */
}

static int in_netns(pid_t pid, int (*work)(int, void *), void *arg) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    struct netns_job job = { .nsfd = open(path, O_RDONLY | O_CLOEXEC), .work = work, .arg = arg };
    if (job.nsfd < 0) return -1;
    pthread_t t;
    int rc = pthread_create(&t, NULL, netns_thread, &job);
    if (rc != 0) {
        close(job.nsfd);
        errno = rc;
        return -1;
    }
    pthread_join(t, NULL);
    close(job.nsfd);
    if (job.result != 0) errno = job.err;
    return job.result;
}

static int set_up(int s, const char *name) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return -1;
    ifr.ifr_flags |= IFF_UP;
    return ioctl(s, SIOCSIFFLAGS, &ifr);
}

static int link_up_work(int s, void *name) { return set_up(s, name); }

int berth_netns_link_up(pid_t pid, const char *ifname) {
    return in_netns(pid, link_up_work, (void *)ifname);
}

struct configure_args {
    const char *ifname;
    uint32_t addr, gateway;
    int prefix;
};

static void set_sockaddr(struct sockaddr *sa, uint32_t host_order) {
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    memset(in, 0, sizeof *in);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(host_order);
}

static int configure_work(int s, void *p) {
    const struct configure_args *a = p;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, a->ifname, IFNAMSIZ - 1);
    uint32_t mask = a->prefix == 0 ? 0 : ~0u << (32 - a->prefix);
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    set_sockaddr(&rt.rt_dst, 0);
    set_sockaddr(&rt.rt_genmask, 0);
    set_sockaddr(&rt.rt_gateway, a->gateway);
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    if (set_up(s, "lo") < 0) return -1;
    set_sockaddr(&ifr.ifr_addr, a->addr);
    if (ioctl(s, SIOCSIFADDR, &ifr) < 0) return -1;
    set_sockaddr(&ifr.ifr_netmask, mask);
    if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) return -1;
    if (set_up(s, a->ifname) < 0) return -1;
    return ioctl(s, SIOCADDRT, &rt);
}

int berth_netns_configure(pid_t pid, const char *ifname, uint32_t addr, int prefix, uint32_t gateway) {
    struct configure_args a = { .ifname = ifname, .addr = addr, .gateway = gateway, .prefix = prefix };
    return in_netns(pid, configure_work, &a);
}
