/* Exercises berth_exec_spawn against a running container, the way Container+Exec.swift will.
 * Built by test_monitor.py (t_exec) with cc, linking every Sources/CBerth .c file.
 *   /tmp/exec_test PID [-t] [-d] [-u UID] [-w CWD] CMD ARGS...
 * Prints the command's output (pipes, or the PTY master it receives), then "exit N" or
 * "error STEP ERRNO". With -d, prints the helper's status and returns at once. -c FILE joins
 * the cgroup whose cgroup.procs is FILE. */
#define _GNU_SOURCE
#include "berth.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void *spin(void *arg) { /* a second thread, as in Swift */
    (void)arg;
    for (;;) pause();
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    pthread_t t;
    pthread_create(&t, NULL, spin, NULL);
    struct berth_exec_spec s;
    memset(&s, 0, sizeof s);
    int32_t cgroups[4];
    s.cgroup_fds = cgroups;
    s.pid = atoi(argv[1]);
    int i = 2;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-t")) s.tty = 1;
        else if (!strcmp(argv[i], "-d")) s.detach = 1;
        else if (!strcmp(argv[i], "-u")) s.uid = s.gid = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-w")) s.cwd = argv[++i];
        else if (!strcmp(argv[i], "-c") && s.n_cgroup_fds < 4) cgroups[s.n_cgroup_fds++] = open(argv[++i], O_WRONLY | O_CLOEXEC);
    }
    char *paths[3];
    char p1[256], p2[256];
    if (strchr(argv[i], '/')) {
        paths[0] = argv[i];
        paths[1] = NULL;
    } else {
        snprintf(p1, sizeof p1, "/usr/bin/%s", argv[i]);
        snprintf(p2, sizeof p2, "/bin/%s", argv[i]);
        paths[0] = p1, paths[1] = p2, paths[2] = NULL;
    }
    char *envp[] = { "PATH=/bin", "TERM=dumb", NULL };
    s.argv = argv + i;
    s.envp = envp;
    s.exec_paths = paths;
    s.rows = 30, s.cols = 90;
    int errp[2], out[2], sp[2];
    pipe2(errp, O_CLOEXEC);
    s.err_fd = errp[1];
    s.console_fd = s.stdin_fd = s.stdout_fd = s.stderr_fd = -1;
    if (s.tty) {
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
        s.console_fd = sp[1];
    } else if (!s.detach) { /* detached: the container's /dev/null */
        pipe2(out, O_CLOEXEC);
        s.stdout_fd = s.stderr_fd = out[1];
    }
    pid_t pid = berth_exec_spawn(&s);
    if (pid < 0) {
        perror("berth_exec_spawn");
        return 1;
    }
    close(errp[1]);
    int src;
    if (s.tty) {
        close(sp[1]);
        src = berth_recv_fd(sp[0]); /* EPIPE if the command failed before its console step */
        close(sp[0]);
    } else if (!s.detach) {
        close(out[1]);
        src = out[0];
    } else {
        src = -1;
    }
    struct berth_child_error e;
    ssize_t n = read(errp[0], &e, sizeof e);
    if (n == (ssize_t)sizeof e) printf("error %s %s\n", berth_step_name(e.step), strerror(e.err));
    char buf[4096];
    while (src >= 0 && (n = read(src, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
    int st;
    waitpid(pid, &st, 0);
    printf("exit %d\n", WEXITSTATUS(st));
    return 0;
}
