import BerthCore
import CBerth
import Foundation
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

/// One line of `docker diff`: a path the container's own layer added, changed or deleted.
package struct LayerChange: Equatable, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable { case changed = "C", added = "A", deleted = "D" }
    package var kind: Kind
    package var path: String
    package var description: String { "\(kind.rawValue) \(path)" }
}

extension ContainerLayer {
    /// What the upper dir holds against the image below it, as Docker's overlay2 driver
    /// reports it: a 0/0 character device is a deletion, a name the image also has is a
    /// change (so is every directory above a change), anything else — and everything
    /// under an opaque directory — is new. Sorted by path, as `docker diff` prints them.
    package func changes() -> [LayerChange] {
        let image = UnionLookup(layers: lowerDirs)
        var out: [LayerChange] = []
        func walk(_ rel: String, hidden: Bool) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: upperDir + rel) else { return }
            for name in names {
                let path = rel + "/" + name
                var st = stat()
                guard lstat(upperDir + path, &st) == 0 else { continue }
                let type = st.st_mode & S_IFMT
                if type == S_IFCHR && st.st_rdev == 0 {
                    out.append(LayerChange(kind: .deleted, path: path))
                    continue
                }
                let inImage = !hidden && image.find(path) != nil
                out.append(LayerChange(kind: inImage ? .changed : .added, path: path))
                if type == S_IFDIR { walk(path, hidden: hidden || !inImage || Xattr.isOpaque(path: upperDir + path)) }
            }
        }
        walk("", hidden: false)
        return out.sorted { $0.path < $1.path }
    }
}
