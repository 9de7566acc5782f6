#define _GNU_SOURCE
#include "berth_net.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
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

struct link_up_job {
    int nsfd;
    const char *ifname;
    int result;
    int err;
};

static void *link_up_thread(void *arg) {
    struct link_up_job *job = arg;
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
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, job->ifname, IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) == 0) job->result = 0;
    }
    if (job->result != 0) job->err = errno;
    close(s);
    return NULL; /* the thread ends here, and its namespace with it */
}

int berth_netns_link_up(pid_t pid, const char *ifname) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    struct link_up_job job = { .nsfd = open(path, O_RDONLY | O_CLOEXEC), .ifname = ifname };
    if (job.nsfd < 0) return -1;
    pthread_t t;
    int rc = pthread_create(&t, NULL, link_up_thread, &job);
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

struct configure_job {
    int nsfd;
    const char *ifname;
    uint32_t addr, gateway;
    int prefix;
    int result, err;
};

static int set_up(int s, const char *name) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return -1;
    ifr.ifr_flags |= IFF_UP;
    return ioctl(s, SIOCSIFFLAGS, &ifr);
}

static void set_sockaddr(struct sockaddr *sa, uint32_t host_order) {
    struct sockaddr_in *in = (struct sockaddr_in *)sa;
    memset(in, 0, sizeof *in);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(host_order);
}

static void *configure_thread(void *arg) {
    struct configure_job *job = arg;
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
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, job->ifname, IFNAMSIZ - 1);
    uint32_t mask = job->prefix == 0 ? 0 : ~0u << (32 - job->prefix);
    struct rtentry rt;
    memset(&rt, 0, sizeof rt);
    set_sockaddr(&rt.rt_dst, 0);
    set_sockaddr(&rt.rt_genmask, 0);
    set_sockaddr(&rt.rt_gateway, job->gateway);
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    if (set_up(s, "lo") == 0
        && (set_sockaddr(&ifr.ifr_addr, job->addr), ioctl(s, SIOCSIFADDR, &ifr)) == 0
        && (set_sockaddr(&ifr.ifr_netmask, mask), ioctl(s, SIOCSIFNETMASK, &ifr)) == 0
        && set_up(s, job->ifname) == 0
        && ioctl(s, SIOCADDRT, &rt) == 0)
        job->result = 0;
    else
        job->err = errno;
    close(s);
    return NULL;
}

int berth_netns_configure(pid_t pid, const char *ifname, uint32_t addr, int prefix, uint32_t gateway) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
    struct configure_job job = {
        .nsfd = open(path, O_RDONLY | O_CLOEXEC), .ifname = ifname, .addr = addr, .prefix = prefix,
        .gateway = gateway,
    };
    if (job.nsfd < 0) return -1;
    pthread_t t;
    int rc = pthread_create(&t, NULL, configure_thread, &job);
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
