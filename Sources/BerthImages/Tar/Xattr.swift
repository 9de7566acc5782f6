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

    /// The same through a directory fd (no path lookup that a symlink could redirect).
    static func markOpaque(fd: Int32) -> Bool {
        set(fd: fd, name: opaqueNames[0], value: [UInt8(ascii: "y")])
    }

    /// Sets one extended attribute on an open file; returns whether it worked.
    static func set(fd: Int32, name: String, value: [UInt8]) -> Bool {
        guard let set = LibcExtras.fsetxattr else { return false }
        return value.withUnsafeBytes { set(fd, name, $0.baseAddress, $0.count, 0) } == 0
    }
}
