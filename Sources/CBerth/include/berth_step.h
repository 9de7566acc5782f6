#ifndef BERTH_STEP_H
#define BERTH_STEP_H
#include <stdint.h>

/* Where a container child (berth_child_clone) or an exec'd process (berth_exec_spawn)
 * failed. The values travel over the error pipe: append new steps, never renumber. */
enum berth_step {
    BERTH_STEP_SYNC = 1,      /* reading the sync byte (EPIPE: the CLI closed it = abort) */
    BERTH_STEP_SIGNALS,       /* resetting signal dispositions and mask */
    BERTH_STEP_FDS,           /* closing inherited descriptors */
    BERTH_STEP_CGROUPNS,      /* unshare(CLONE_NEWCGROUP) after the CLI placed us in a cgroup */
    BERTH_STEP_PRIVATE,       /* mount(/, MS_REC|MS_PRIVATE) */
    BERTH_STEP_OVERLAY,       /* chdir(overlay cwd) + overlay mount on rootfs */
    BERTH_STEP_ROOTFS,        /* self-bind or open of rootfs */
    BERTH_STEP_MKFILE,        /* creating a bind target file inside rootfs */
    BERTH_STEP_MOUNT_TARGET,  /* creating/opening a mount target inside rootfs */
    BERTH_STEP_MOUNT,
    BERTH_STEP_REMOUNT,       /* read-only (or nosuid/nodev/noexec) remount of a bind */
    BERTH_STEP_DEVICES,       /* device nodes and symlinks in /dev */
    BERTH_STEP_PIVOT,
    BERTH_STEP_HOSTNAME,
    BERTH_STEP_CWD,
    BERTH_STEP_CONSOLE,       /* PTY from the container's /dev/ptmx, sent to the monitor */
    BERTH_STEP_STDIO,         /* dup2 of the stdio pipes */
    BERTH_STEP_SETGROUPS,
    BERTH_STEP_SETGID,
    BERTH_STEP_SETUID,
    BERTH_STEP_CAPS,          /* reserved for berth_child_security */
    BERTH_STEP_NO_NEW_PRIVS,  /* reserved for berth_child_security */
    BERTH_STEP_SECCOMP,       /* reserved for berth_child_security */
    BERTH_STEP_EXEC,          /* ENOENT: no candidate exists; EACCES: one was not executable */
    BERTH_STEP_CGROUP,        /* exec: joining the container's cgroups */
    BERTH_STEP_SETNS,         /* exec: joining a namespace */
    BERTH_STEP_CHROOT,        /* exec: entering the container's root */
    BERTH_STEP_FORK,          /* exec: forking into the PID namespace */
};

/* 8 bytes, written in one write(2) to the error pipe just before _exit(127). */
struct berth_child_error {
    int32_t step;
    int32_t err;  /* errno */
};

/* A short lowercase name for a step ("mount", "pivot_root", ...); "unknown" otherwise. */
const char *berth_step_name(int32_t step);

#endif
