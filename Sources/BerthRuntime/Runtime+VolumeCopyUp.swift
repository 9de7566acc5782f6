import BerthCore
import CBerth
import Foundation

extension Runtime {
    /// Docker's copy-up: an empty volume mounted where the image has a directory starts
    /// with a copy of that directory (owners, modes and times kept), so `-v db:/var/lib/x`
    /// sees the image's files. A volume that holds anything is left as it is, so data
    /// written through one container is what the next one sees. Runs at start, under the
    /// state lock, with the container stopped.
    func populateVolumes(record: ContainerRecord, _ volumes: [ContainerRecord.MountPoint]) throws {
        let empty = volumes.filter { m in
            guard m.copyData else { return false }
            let fd = open(paths.volumeData(m.name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            return (try? directoryEntries(fd).isEmpty) ?? false
        }
        guard !empty.isEmpty else { return }
        try images.containerLayer(containerID: record.id.rawValue).withDetachedRoot { root in
            for m in empty {
                // Resolved as inside the container: an image symlink never leads to the host.
                let src = berth_openat2(root, m.destination, Int32(O_RDONLY | O_DIRECTORY | O_CLOEXEC), resolveInRoot)
                guard src >= 0 else { continue }  // nothing (or no directory) there in the image
                defer { close(src) }
                let dst = try sys("open \(m.name)") {
                    open(paths.volumeData(m.name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
                defer { close(dst) }
                do {
                    for name in try directoryEntries(src) { try copyUp(from: src, name, to: dst) }
                    var st = stat()
                    try sys("fstat") { fstat(src, &st) }
                    try sys("chown") { fchown(dst, st.st_uid, st.st_gid) }
                    try sys("chmod") { fchmod(dst, st.st_mode & 0o7777) }
                } catch {
                    throw BerthError.internalError(
                        "failed to copy the image's \(m.destination) into volume \(m.name)", detail: "\(error)")
                }
            }
        }
    }

    /// Copies one entry, never following a symlink on either side; the owner is set before
    /// the mode, since chown clears set-id bits.
    private func copyUp(from srcDir: Int32, _ name: String, to dstDir: Int32) throws {
        var st = stat()
        try sys("lstat \(name)") { fstatat(srcDir, name, &st, AT_SYMLINK_NOFOLLOW) }
        let perms = st.st_mode & 0o7777
        let times = [st.st_atim, st.st_mtim]
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            try sys("mkdir \(name)") { mkdirat(dstDir, name, 0o700) }
            let src = try sys("open \(name)") { openat(srcDir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            defer { close(src) }
            let dst = try sys("open \(name)") { openat(dstDir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            defer { close(dst) }
            for child in try directoryEntries(src) { try copyUp(from: src, child, to: dst) }
            try sys("chown \(name)") { fchown(dst, st.st_uid, st.st_gid) }
            try sys("chmod \(name)") { fchmod(dst, perms) }
            _ = times.withUnsafeBufferPointer { futimens(dst, $0.baseAddress) }
        case S_IFREG:
            let src = try sys("open \(name)") { openat(srcDir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
            defer { close(src) }
            let dst = try sys("create \(name)") {
                openat(dstDir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            }
            defer { close(dst) }
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = try sys("read \(name)") { read(src, &buf, buf.count) }
                if n == 0 { break }
                var chunk = Array(buf[0..<n])
                writeAll(dst, &chunk)
            }
            try sys("chown \(name)") { fchown(dst, st.st_uid, st.st_gid) }
            try sys("chmod \(name)") { fchmod(dst, perms) }
            _ = times.withUnsafeBufferPointer { futimens(dst, $0.baseAddress) }
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try sys("readlink \(name)") { readlinkat(srcDir, name, &target, Int(PATH_MAX)) }
            target[n] = 0
            try sys("symlink \(name)") { symlinkat(target, dstDir, name) }
            try sys("chown \(name)") { fchownat(dstDir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) }
            _ = times.withUnsafeBufferPointer { utimensat(dstDir, name, $0.baseAddress, AT_SYMLINK_NOFOLLOW) }
        case S_IFCHR where st.st_rdev == 0:
            break  // an overlay whiteout never shows through a mounted overlay; skip it anyway
        case S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK:
            try sys("mknod \(name)") { mknodat(dstDir, name, st.st_mode & S_IFMT | 0o600, st.st_rdev) }
            try sys("chown \(name)") { fchownat(dstDir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) }
            try sys("chmod \(name)") { fchmodat(dstDir, name, perms, 0) }
        default:
            break
        }
    }
}
