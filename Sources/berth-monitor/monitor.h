#ifndef BERTH_MONITOR_H
#define BERTH_MONITOR_H
/* berth-monitor: one per container, like conmon (Documentation/Monitor.md). Single-threaded,
 * so it may allocate before and after clone; the child itself runs CBerth's child.c. */
#include "berth.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Descriptors the CLI hands over (Monitor.md, Invocation). */
enum { FD_SYNC = 3, FD_ERROR = 4, FD_STATUS = 5 };

#define READ_BUF_SIZE (64 * 1024)
#define MAX_CLIENTS 128

struct strvec {
    char **v; /* NULL-terminated */
    size_t n, cap;
};

/* plan.c: the parsed plan file. Strings point into `raw`. */
struct mon_plan {
    char *raw;
    struct berth_child_plan child;
    struct berth_child_op *ops;
    size_t n_ops, cap_ops;
    struct strvec argv, envp, exec, cleanup;
    gid_t *groups;
    /* security (Monitor.md, "Security"): lists the child's berth_security points into */
    struct strvec masked, readonly;
    struct berth_device *devices;
    size_t n_devices, cap_devices;
    char *seccomp_bpf; /* read from the `seccomp` file before clone */
    int tty, open_stdin;
    const char *log_path, *attach_path, *exit_path;
};

/* Returns 0, or -1 with a message in err. */
int plan_load(const char *path, struct mon_plan *plan, char *err, size_t errlen);

/* log.c: Docker's json-file log. */
struct utf8_state {
    uint8_t seq[4];
    uint8_t have, need;
};

struct logw {
    int fd;
    char *buf;
    size_t len;
    struct utf8_state st[3]; /* per stream: a UTF-8 sequence split across reads */
};

int log_open(struct logw *lw, const char *path);
/* Appends one entry per line of `data` (stream 1 stdout, 2 stderr). */
void log_write(struct logw *lw, int stream, const uint8_t *data, size_t n);
/* At a stream's EOF: what is left of an incomplete UTF-8 sequence becomes U+FFFD. */
void log_end_stream(struct logw *lw, int stream);
void log_close(struct logw *lw);

/* attach.c: clients of the attach socket. */
struct client {
    int fd;
    int dead;
    uint8_t hdr[8];
    uint8_t hdr_len;
    uint8_t type;
    uint32_t remaining; /* payload bytes of the current input frame still to come */
    char small[32];     /* resize payload */
    uint8_t small_len;
    uint8_t *pend;      /* unsent tail of a partly written output frame */
    size_t pend_len, pend_off;
};

#define FD_HELD 6
#define MAX_PROXY_LISTENERS 64

/* proxy.c: an IPv6 published port, relayed to 127.0.0.1 on the same port */
struct proxy_listener {
    int fd;
    uint16_t port; /* network byte order */
};

struct proxy_conn {
    int fd[2];        /* 0: the client, 1: upstream (127.0.0.1:port) */
    int connecting;   /* upstream's connect is in progress */
    uint8_t *buf[2];  /* buf[i]: read from fd[i], to be written to the other side */
    size_t len[2], off[2];
    int eof[2], shut[2]; /* fd[i] hit EOF; the other side was half-closed for it */
    int dead;
};

struct monitor {
    struct mon_plan plan;
    pid_t child;
    int n_held;           /* published host ports, held from fd FD_HELD on (argv[2]); closed
                             before the exit is announced, so the port is free by then */
    int sigfd;
    int listen_fd;
    int out_fd, err_fd;   /* read ends of the child's stdout/stderr pipes (no TTY) */
    int master_fd;        /* PTY master (TTY), once the child sent it */
    int console_fd;       /* our end of the socketpair the master arrives on */
    int stdin_fd;         /* where stdin frames go: the pipe's write end, or the master */
    int stdin_open;       /* stdin frames are forwarded */
    int stdin_close_after; /* close stdin once the pending bytes are written */
    uint8_t *stdin_pend;
    size_t stdin_len, stdin_off, stdin_cap;
    uint16_t rows, cols;  /* a resize that came before the master */
    int child_ends[5];    /* the child's copies, closed after clone */
    struct client *clients;
    size_t n_clients, cap_clients;
    struct logw log;
    uint8_t *buf;
    struct proxy_listener listeners[MAX_PROXY_LISTENERS];
    size_t n_listeners;
    struct proxy_conn *conns; /* MAX_PROXY_CONNS, allocated when there is a listener */
    size_t n_conns;
    int exited;
    int status;
    uint64_t finished_ns;
};

/* attach.c */
int attach_listen(const char *path, char *err, size_t errlen);
void attach_accept(struct monitor *m);
/* Sends one frame to every client; a client that cannot take it now misses it. */
void attach_broadcast(struct monitor *m, uint8_t type, const uint8_t *data, size_t n);
void attach_flush(struct client *c);
void attach_read(struct monitor *m, struct client *c);
void attach_reap(struct monitor *m);
/* The exit frame, blocking up to a short deadline per client, then closes them all. */
void attach_finish(struct monitor *m, int code);

/* loop.c */
void stdin_feed(struct monitor *m, const uint8_t *data, size_t n);
void stdin_close(struct monitor *m);
void monitor_resize(struct monitor *m, uint16_t rows, uint16_t cols);
void monitor_run(struct monitor *m);

/* proxy.c */
void proxy_init(struct monitor *m);
size_t proxy_poll_count(const struct monitor *m);
struct pollfd;
void proxy_poll_fill(const struct monitor *m, struct pollfd *pf);
void proxy_poll_handle(struct monitor *m, const struct pollfd *pf);
void proxy_close_all(struct monitor *m);

/* exit.c */
_Noreturn void monitor_finish(struct monitor *m);

uint64_t now_ns(void);

#endif
