/// Berth's default seccomp profile: the semantics of Docker 25's default (everything not
/// listed fails with EPERM, syscalls newer than every listed one with ENOSYS; io_uring,
/// namespaces, mounts, keyrings, modules, kexec, bpf, reboot, swap and friends stay closed
/// unless a capability unlocks them). Written here as a table;
/// `berth _seccomp-profile` prints it in Docker's JSON format.
extension SeccompProfile {
    public static let `default` = SeccompProfile(
        defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1,
        archMap: [
            .init(architecture: "SCMP_ARCH_X86_64", subArchitectures: ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
            .init(architecture: "SCMP_ARCH_AARCH64", subArchitectures: ["SCMP_ARCH_ARM"]),
            .init(architecture: "SCMP_ARCH_RISCV64", subArchitectures: nil),
            .init(architecture: "SCMP_ARCH_S390X", subArchitectures: ["SCMP_ARCH_S390"]),
        ],
        syscalls: DefaultSeccomp.rules)
}

enum DefaultSeccomp {
    static let allow = "SCMP_ACT_ALLOW"

    // What every process needs, by theme. Each name exists on some architecture; names a
    // kernel or libseccomp does not know are skipped when compiling.
    static let files = [
        "access", "cachestat", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range", "creat",
        "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
        "fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl",
        "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr", "fstat",
        "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futimesat",
        "getcwd", "getdents", "getdents64", "getxattr", "inotify_add_watch", "inotify_init",
        "inotify_init1", "inotify_rm_watch", "lchown", "lchown32", "lgetxattr", "link", "linkat",
        "listxattr", "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64",
        "mkdir", "mkdirat", "mknod", "mknodat", "name_to_handle_at", "newfstatat", "open", "openat",
        "openat2", "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readahead",
        "readlink", "readlinkat", "readv", "removexattr", "rename", "renameat", "renameat2", "rmdir",
        "sendfile", "sendfile64", "setxattr", "splice", "stat", "stat64", "statfs", "statfs64", "statx",
        "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate", "truncate64",
        "umask", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "vmsplice",
        "write", "writev",
    ]
    static let io = [
        "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
        "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "io_cancel", "io_destroy", "io_getevents",
        "io_pgetevents", "io_pgetevents_time64", "io_setup", "io_submit", "ioctl", "ioprio_get", "ioprio_set", "_newselect", "pipe",
        "pipe2", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64", "select", "signalfd",
        "signalfd4", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
        "timerfd_settime64",
    ]
    static let network = [
        "accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt", "listen", "recv",
        "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send", "sendmmsg", "sendmsg", "sendto",
        "setsockopt", "shutdown", "socketcall", "socketpair",
    ]
    static let memory = [
        "brk", "madvise", "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mlock", "mlock2",
        "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync", "munlock", "munlockall", "munmap",
        "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages",
    ]
    static let processes = [
        "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork", "get_robust_list",
        "get_thread_area", "getcpu", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
        "getgroups", "getgroups32", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getresgid",
        "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage", "getsid", "gettid", "getuid",
        "getuid32", "kill", "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
        "pidfd_open", "pidfd_send_signal", "prctl", "prlimit64", "process_mrelease", "restart_syscall",
        "rseq", "sched_get_priority_max", "sched_get_priority_min", "sched_getaffinity", "sched_getattr",
        "sched_getparam", "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
        "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
        "seccomp", "set_robust_list", "set_thread_area", "set_tid_address", "setfsgid", "setfsgid32",
        "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setpgid",
        "setpriority", "setregid", "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
        "setreuid", "setreuid32", "setrlimit", "setsid", "setuid", "setuid32", "tgkill", "tkill",
        "ugetrlimit", "uname", "vfork", "wait4", "waitid", "waitpid",
    ]
    static let signalsAndTime = [
        "alarm", "adjtimex", "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64",
        "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "futex",
        "futex_requeue", "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "getitimer", "getrandom", "gettimeofday", "nanosleep", "pause",
        "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "setitimer",
        "sigaltstack", "sigprocmask", "sigreturn", "sysinfo", "time", "timer_create", "timer_delete",
        "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "times",
    ]
    static let ipc = [
        "ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
        "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl",
        "semget", "semop", "semtimedop", "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
    ]

    /// Namespace flags `clone` may not carry without CAP_SYS_ADMIN: NEWNS, NEWCGROUP, NEWUTS,
    /// NEWIPC, NEWUSER, NEWPID, NEWNET (0x7E020000).
    static let namespaceFlags: UInt64 = 0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000
        | 0x2000_0000 | 0x4000_0000

    static func caps(_ c: String...) -> SeccompProfile.Filter { .init(caps: c) }
    static func arches(_ a: String...) -> SeccompProfile.Filter { .init(arches: a) }

    static let rules: [SeccompProfile.Rule] = [
        .init(names: (files + io + network + memory + processes + signalsAndTime + ipc).sorted(), action: allow),
        .init(names: ["process_vm_readv", "process_vm_writev", "ptrace"], action: allow,
              comment: "safe since Linux 4.8, which checks seccomp again after ptrace",
              includes: .init(minKernel: "4.8")),
        .init(names: ["socket"], action: allow, args: [.init(index: 0, value: 40, op: "SCMP_CMP_NE")],
              comment: "any family but AF_VSOCK, which reaches the host"),
    ] + [0, 8, 0x20000, 0x20008, 0xffff_ffff].map {
        // personality: only querying it, PER_LINUX, PER_LINUX32 and their UNAME26 variants
        .init(names: ["personality"], action: allow, args: [.init(index: 0, value: $0, op: "SCMP_CMP_EQ")])
    } + [
        .init(names: ["arch_prctl"], action: allow, includes: arches("amd64", "x32")),
        .init(names: ["modify_ldt"], action: allow, includes: arches("amd64", "x32", "x86")),
        .init(names: ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush",
                      "set_tls"], action: allow, includes: arches("arm", "arm64")),
        .init(names: ["sync_file_range2", "swapcontext"], action: allow, includes: arches("ppc64le")),
        .init(names: ["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"], action: allow,
              includes: arches("s390", "s390x")),
        .init(names: ["riscv_flush_icache"], action: allow, includes: arches("riscv64")),
        .init(names: ["open_by_handle_at"], action: allow, includes: caps("CAP_DAC_READ_SEARCH")),
        .init(names: ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                      "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
                      "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
                      "umount2", "unshare"],
              action: allow, includes: caps("CAP_SYS_ADMIN")),
        .init(names: ["clone"], action: allow, args: [.init(index: 0, value: namespaceFlags, op: "SCMP_CMP_MASKED_EQ")],
              comment: "threads and processes, but no new namespaces",
              excludes: .init(caps: ["CAP_SYS_ADMIN"], arches: ["s390", "s390x"])),
        .init(names: ["clone"], action: allow, args: [.init(index: 1, value: namespaceFlags, op: "SCMP_CMP_MASKED_EQ")],
              comment: "s390 passes the flags second", includes: arches("s390", "s390x"),
              excludes: caps("CAP_SYS_ADMIN")),
        .init(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38,
              comment: "ENOSYS: its flags sit in memory a filter cannot read, so libc falls back to clone",
              excludes: caps("CAP_SYS_ADMIN")),
        .init(names: ["reboot"], action: allow, includes: caps("CAP_SYS_BOOT")),
        .init(names: ["chroot"], action: allow, includes: caps("CAP_SYS_CHROOT")),
        .init(names: ["delete_module", "init_module", "finit_module"], action: allow, includes: caps("CAP_SYS_MODULE")),
        .init(names: ["acct"], action: allow, includes: caps("CAP_SYS_PACCT")),
        .init(names: ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"],
              action: allow, includes: caps("CAP_SYS_PTRACE")),
        .init(names: ["iopl", "ioperm"], action: allow, includes: caps("CAP_SYS_RAWIO")),
        .init(names: ["settimeofday", "stime", "clock_settime", "clock_settime64"], action: allow,
              includes: caps("CAP_SYS_TIME")),
        .init(names: ["vhangup"], action: allow, includes: caps("CAP_SYS_TTY_CONFIG")),
        .init(names: ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"], action: allow,
              includes: caps("CAP_SYS_NICE")),
        .init(names: ["syslog"], action: allow, includes: caps("CAP_SYSLOG")),
        .init(names: ["bpf"], action: allow, includes: caps("CAP_BPF")),
        .init(names: ["perf_event_open"], action: allow, includes: caps("CAP_PERFMON")),
    ]
}
