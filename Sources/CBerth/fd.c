#define _GNU_SOURCE
#include "berth_fd.h"

#include <fcntl.h>
#include <unistd.h>

int berth_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int berth_o_path(void) { return O_PATH; }
