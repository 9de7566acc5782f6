/// Overlay's opaque-directory mark, read and written through `LibcExtras`.
enum Xattr {
    /// `trusted.overlay.opaque` (root) or `user.overlay.opaque` (userxattr mounts).
    static let opaqueNames = ["trusted.overlay.opaque", "user.overlay.opaque"]

    static func isOpaque(_ fd: Int32) -> Bool {
        guard let get = LibcExtras.fgetxattr else { return false }
        var value: UInt8 = 0
        return opaqueNames.contains { get(fd, $0, &value, 1) == 1 && value == UInt8(ascii: "y") }
    }

    static func isOpaque(path: String) -> Bool {
        guard let get = LibcExtras.lgetxattr else { return false }
        var value: UInt8 = 0
        return opaqueNames.contains { get(path, $0, &value, 1) == 1 && value == UInt8(ascii: "y") }
    }

    /// Marks a directory opaque for overlayfs (`trusted.overlay.opaque=y`), as a layer's
    /// `.wh..wh..opq` is applied. Needs CAP_SYS_ADMIN; returns whether it worked.
    static func markOpaque(path: String) -> Bool {
        guard let set = LibcExtras.lsetxattr else { return false }
        var value = UInt8(ascii: "y")
        return set(path, opaqueNames[0], &value, 1, 0) == 0
    }
}
