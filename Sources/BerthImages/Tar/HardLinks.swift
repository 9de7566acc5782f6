#if canImport(Glibc)
import Glibc
#endif

/// A file (not a directory) by device and inode.
struct InodeKey: Hashable {
    var dev: UInt64
    var ino: UInt64

    init(_ st: stat) { (dev, ino) = (UInt64(st.st_dev), UInt64(st.st_ino)) }
}

/// The first archived name of each multiply-linked file, so its other names go into the tar
/// as hard links to it (as Docker and GNU tar write them) rather than as copies.
struct HardLinks {
    private var first: [InodeKey: [UInt8]] = [:]

    /// True, with `header` made a hard link, when the file was archived under another name
    /// already; otherwise remembers `header.name` for the file's next names.
    mutating func link(_ header: inout TarHeader, _ st: stat) -> Bool {
        guard st.st_mode & S_IFMT != S_IFDIR, st.st_nlink > 1 else { return false }
        let key = InodeKey(st)
        if let name = first[key] {
            header.kind = .hardLink
            header.linkName = name
            return true
        }
        first[key] = header.name
        return false
    }
}
