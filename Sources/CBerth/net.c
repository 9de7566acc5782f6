#define _GNU_SOURCE
#include "berth_net.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
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
