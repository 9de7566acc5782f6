#ifndef BERTH_DEVICES_H
#define BERTH_DEVICES_H

/* Device confinement on the unified (v2) hierarchy, which has no devices controller: runc's
 * BPF_PROG_TYPE_CGROUP_DEVICE program for Docker's allow-list (mknod of any device; read,
 * write and mknod of null, zero, full, random, urandom, tty, console, ptmx, pts/N, net/tun),
 * loaded with bpf(BPF_PROG_LOAD) and attached (BPF_F_ALLOW_MULTI) to the cgroup directory
 * `cgroup_fd`. The cgroup holds the only reference: the program goes when the cgroup is
 * removed. Returns 0, or -1 with errno set and the verifier's first words in `log`. */
int berth_devices_attach(int cgroup_fd, char *log, unsigned log_size);

#endif
