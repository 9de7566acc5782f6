#define _GNU_SOURCE
#include "berth_devices.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One allow rule; -1: any major or minor. */
struct dev_rule {
    int type;        /* BPF_DEVCG_DEV_CHAR or BPF_DEVCG_DEV_BLOCK */
    unsigned access; /* BPF_DEVCG_ACC_* */
    long major, minor;
};

#define RWM (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

/* Cgroup+V1.swift's allowedDevices, the same list in the v1 controller's words. */
static const struct dev_rule rules[] = {
    { BPF_DEVCG_DEV_CHAR, BPF_DEVCG_ACC_MKNOD, -1, -1 },
    { BPF_DEVCG_DEV_BLOCK, BPF_DEVCG_ACC_MKNOD, -1, -1 },
    { BPF_DEVCG_DEV_CHAR, RWM, 1, 3 },   /* null */
    { BPF_DEVCG_DEV_CHAR, RWM, 1, 5 },   /* zero */
    { BPF_DEVCG_DEV_CHAR, RWM, 1, 7 },   /* full */
    { BPF_DEVCG_DEV_CHAR, RWM, 1, 8 },   /* random */
    { BPF_DEVCG_DEV_CHAR, RWM, 1, 9 },   /* urandom */
    { BPF_DEVCG_DEV_CHAR, RWM, 5, 0 },   /* tty */
    { BPF_DEVCG_DEV_CHAR, RWM, 5, 1 },   /* console */
    { BPF_DEVCG_DEV_CHAR, RWM, 5, 2 },   /* ptmx */
    { BPF_DEVCG_DEV_CHAR, RWM, 136, -1 }, /* pts/N */
    { BPF_DEVCG_DEV_CHAR, RWM, 10, 200 }, /* net/tun */
};

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define ALU32_IMM(op, d, i) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, i)
#define MOV32_REG(d, s) INSN(BPF_ALU | BPF_MOV | BPF_X, d, s, 0, 0)
#define JNE_IMM(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define JNE_REG(d, s, o) INSN(BPF_JMP | BPF_JNE | BPF_X, d, s, o, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* runc's generator: r2 = type, r3 = access, r4 = major, r5 = minor from struct
 * bpf_cgroup_dev_ctx; each rule a block that jumps past itself on a mismatch or returns 1;
 * the last instructions return 0 (deny). */
static int build(struct bpf_insn *p, int cap) {
    int n = 0;
    p[n++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
    p[n++] = ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff);
    p[n++] = LDX_W(BPF_REG_3, BPF_REG_1, 0);
    p[n++] = ALU32_IMM(BPF_RSH, BPF_REG_3, 16);
    p[n++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
    p[n++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        const struct dev_rule *d = &rules[r];
        int partial = d->access != RWM;
        int len = 1 + (partial ? 3 : 0) + (d->major >= 0) + (d->minor >= 0) + 2;
        if (n + len + 2 > cap) return -1;
        int end = n + len; /* the next block */
        p[n] = JNE_IMM(BPF_REG_2, d->type, end - n - 1), n++;
        if (partial) { /* the access asked for must lie within the rule's: (r3 & access) == r3 */
            p[n++] = MOV32_REG(BPF_REG_1, BPF_REG_3);
            p[n++] = ALU32_IMM(BPF_AND, BPF_REG_1, (int)d->access);
            p[n] = JNE_REG(BPF_REG_1, BPF_REG_3, end - n - 1), n++;
        }
        if (d->major >= 0) p[n] = JNE_IMM(BPF_REG_4, (int)d->major, end - n - 1), n++;
        if (d->minor >= 0) p[n] = JNE_IMM(BPF_REG_5, (int)d->minor, end - n - 1), n++;
        p[n++] = MOV64_IMM(BPF_REG_0, 1);
        p[n++] = EXIT();
    }
    p[n++] = MOV64_IMM(BPF_REG_0, 0);
    p[n++] = EXIT();
    return n;
}

int berth_devices_attach(int cgroup_fd, char *log, unsigned log_size) {
    struct bpf_insn prog[128];
    int n = build(prog, 128);
    if (n < 0) {
        errno = E2BIG;
        return -1;
    }
    static const char license[] = "Apache";
    union bpf_attr load;
    memset(&load, 0, sizeof load);
    load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    load.insns = (uintptr_t)prog;
    load.insn_cnt = (unsigned)n;
    load.license = (uintptr_t)license;
    if (log && log_size) {
        log[0] = 0;
        load.log_buf = (uintptr_t)log;
        load.log_size = log_size;
        load.log_level = 1;
    }
    int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load);
    if (fd < 0 && errno == ENOSPC && log) { /* the log was too small, not the program wrong */
        load.log_buf = 0, load.log_size = 0, load.log_level = 0;
        fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof load);
    }
    if (fd < 0) return -1;
    union bpf_attr attach;
    memset(&attach, 0, sizeof attach);
    attach.target_fd = (unsigned)cgroup_fd;
    attach.attach_bpf_fd = (unsigned)fd;
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    int rc = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof attach);
    int err = errno;
    close(fd);
    errno = err;
    return rc;
}
