#if canImport(Glibc)
import Glibc
#endif
import BerthCore

/// The `<mount-id>-init` layer's contents, as Docker's `initlayer.Setup` makes them:
/// mountpoints for what the runtime mounts over the image, so they exist whatever the
/// image holds and stay out of the container's own changes.
enum InitLayer {
    static let directories = ["dev", "dev/pts", "dev/shm", "proc", "sys", "etc"]
    static let files = ["dev/console", "etc/hostname", "etc/hosts", "etc/resolv.conf"]

    static func populate(_ diff: String) throws(BerthError) {
        for d in directories { try StoreFiles.makeDirectory(diff + "/" + d) }
        for f in files {
            let fd = open(diff + "/" + f, O_WRONLY | O_CREAT | O_CLOEXEC, 0o755)
            guard fd >= 0 else { throw .internalError("cannot create \(diff)/\(f)", detail: errnoText()) }
            close(fd)
        }
        guard symlink("/proc/mounts", diff + "/etc/mtab") == 0 else {
            throw .internalError("cannot create \(diff)/etc/mtab", detail: errnoText())
        }
    }
}
