import BerthCore
import CBerth
#if canImport(Glibc)
import Glibc
#endif

/// A container's writable layer and the overlay mount that makes its root filesystem.
///
/// As Docker's overlay2: `overlay2/<mount-id>/{diff,work,merged,link,lower}`, an
/// `overlay2/<mount-id>-init` layer under it with the mountpoint stubs (`/etc/hosts`, …),
/// and `image/overlay2/layerdb/mounts/<container-id>/{mount-id,init-id,parent}`.
package struct ContainerLayer: Equatable, Sendable {
    package var containerID: String
    /// The container layer's cache ID (`layerdb/mounts/<id>/mount-id`).
    package var mountID: String
    /// `overlay2/<mount-id>`.
    package var cacheDir: String
    /// `overlay2/<mount-id>/diff`: the container's writes.
    package var upperDir: String
    package var workDir: String
    /// Where the runtime mounts the overlay.
    package var mergedDir: String
    /// Absolute lower `diff` dirs, topmost first (the init layer, then the image's layers).
    package var lowerDirs: [String]
    /// ChainID of the image's top layer; nil for an image with no layers.
    package var parent: Digest?
    /// The directory to mount from, so `overlayData` can use short relative paths
    /// (Docker does the same to keep many-layer mount options under a page).
    package var overlayCwd: String
    /// `lowerdir=l/A:l/B,upperdir=<mount-id>/diff,workdir=<mount-id>/work`, relative to `overlayCwd`.
    package var overlayData: String
}

extension ContainerLayer {
    /// Runs `body` with the container's root filesystem as the fd of an overlay mounted
    /// nowhere (fsmount): reading or writing a stopped container's files (`cp`, a build's
    /// COPY) leaves no mount on the host even if the process is killed meanwhile, and closing
    /// the fd unmounts it before the container's own start mounts the same upper dir.
    /// Kernels before 6.8 lack overlayfs' `lowerdir+`: there the overlay is mounted on the
    /// merged dir for the call instead (a kill in between leaves that mount behind).
    package func withDetachedRoot<T>(_ body: (Int32) throws -> T) throws -> T {
        let fd = withCStrings(lowerDirs) { lowers in
            berth_fs_overlay_detached(lowers, Int32(lowerDirs.count), upperDir, workDir)
        }
        if fd < 0 && errno == EINVAL { return try withMountedRoot(body) }
        guard fd >= 0 else { throw BerthError.internalError("cannot mount the container's root", detail: errnoText()) }
        defer { close(fd) }
        return try body(fd)
    }

    func withMountedRoot<T>(_ body: (Int32) throws -> T) throws -> T {
        let data = "lowerdir=\(lowerDirs.joined(separator: ":")),upperdir=\(upperDir),workdir=\(workDir)"
        try ensureDirectory(mergedDir)
        guard mount("overlay", mergedDir, "overlay", 0, data) == 0 else {
            throw BerthError.internalError("cannot mount the container's root", detail: errnoText())
        }
        defer { umount2(mergedDir, Int32(MNT_DETACH)) }
        let fd = open(mergedDir, berth_o_path() | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BerthError.internalError("cannot open the container's root", detail: errnoText()) }
        defer { close(fd) }
        return try body(fd)
    }
}
