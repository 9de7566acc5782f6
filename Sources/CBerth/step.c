#include "berth_step.h"

const char *berth_step_name(int32_t step) {
    switch ((enum berth_step)step) {
    case BERTH_STEP_SYNC: return "sync";
    case BERTH_STEP_SIGNALS: return "reset signals";
    case BERTH_STEP_FDS: return "close fds";
    case BERTH_STEP_CGROUPNS: return "cgroup namespace";
    case BERTH_STEP_PRIVATE: return "make / private";
    case BERTH_STEP_OVERLAY: return "mount overlay";
    case BERTH_STEP_ROOTFS: return "rootfs";
    case BERTH_STEP_MKFILE: return "create bind target";
    case BERTH_STEP_MOUNT_TARGET: return "create mount target";
    case BERTH_STEP_MOUNT: return "mount";
    case BERTH_STEP_REMOUNT: return "remount";
    case BERTH_STEP_DEVICES: return "create devices";
    case BERTH_STEP_PIVOT: return "pivot_root";
    case BERTH_STEP_HOSTNAME: return "sethostname";
    case BERTH_STEP_CWD: return "chdir to cwd";
    case BERTH_STEP_CONSOLE: return "console";
    case BERTH_STEP_STDIO: return "stdio";
    case BERTH_STEP_SETGROUPS: return "setgroups";
    case BERTH_STEP_SETGID: return "setgid";
    case BERTH_STEP_SETUID: return "setuid";
    case BERTH_STEP_CAPS: return "capabilities";
    case BERTH_STEP_NO_NEW_PRIVS: return "no_new_privs";
    case BERTH_STEP_SECCOMP: return "seccomp";
    case BERTH_STEP_EXEC: return "exec";
    case BERTH_STEP_CGROUP: return "join cgroup";
    case BERTH_STEP_SETNS: return "setns";
    case BERTH_STEP_CHROOT: return "chroot";
    case BERTH_STEP_FORK: return "fork";
    }
    return "unknown";
}
