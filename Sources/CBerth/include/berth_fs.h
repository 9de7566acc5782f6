#ifndef BERTH_FS_H
#define BERTH_FS_H
#include <sys/types.h>

/* Path handling inside a container's root, safe against hostile image symlinks: every lookup
 * is openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to `rootfd`, so a symlink such
 * as `/proc -> /etc` or `/etc/hosts -> /../../../tmp/x` resolves as it would inside the
 * container and can never lead out of it. Async-signal-safe: raw syscalls and stack buffers
 * only (about 8 KiB of stack), usable after clone/fork. */

/* Opens `path` (relative to the container's root) with openat2 and the flags above.
 * Returns the fd (O_CLOEXEC), or -1 with errno. */
int berth_fs_open_in_root(int rootfd, const char *path, int flags);

/* Opens `path` O_PATH, first creating what is missing, like `mkdir -p` inside the root:
 * directories get mode 0755 (minus umask); when `file` is set the last component is created
 * as an empty regular file with `mode` instead. A dangling symlink on the way is followed
 * (inside the root) and its target is created. An existing object of either type is opened
 * as it is. Returns the O_PATH fd (O_CLOEXEC), or -1 with errno (ELOOP after 40 links). */
int berth_fs_create_in_root(int rootfd, const char *path, int file, mode_t mode);

/* Writes "/proc/self/fd/N" into buf (at least 32 bytes) and returns buf. */
char *berth_fs_fd_path(char *buf, int fd);

/* `mkdir -p path` (mode 0755) in the current root; existing components are fine. */
int berth_fs_mkdir_all(const char *path);

/* An overlay of `lowers` (topmost first), `upper` and `work`, mounted nowhere: the new mount
 * API's fsopen/fsconfig/fsmount give a detached mount whose root is the returned fd (use it
 * with openat and the functions above). Closing the fd unmounts it, also when the process
 * is killed, so nothing can stay mounted on the host. Returns the fd, or -1 with errno. */
int berth_fs_overlay_detached(char *const *lowers, int n_lowers, const char *upper, const char *work);

#endif
