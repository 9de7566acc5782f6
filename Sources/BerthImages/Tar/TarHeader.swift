/// One tar entry's metadata. Names are bytes, since a layer may hold names that are not UTF-8.
package struct TarHeader: Equatable, Sendable {
    package enum Kind: UInt8, Sendable {
        case regular = 0x30, hardLink = 0x31, symlink = 0x32, characterDevice = 0x33
        case blockDevice = 0x34, directory = 0x35, fifo = 0x36
        case paxExtended = 0x78
    }

    /// Relative path; directories end with `/`.
    package var name: [UInt8]
    package var kind: Kind
    /// Permission bits with setuid, setgid and sticky (`0o7777`).
    package var mode: UInt32
    package var uid: UInt32 = 0
    package var gid: UInt32 = 0
    /// Bytes of contents that follow; non-zero only for regular files.
    package var size: Int64 = 0
    /// Seconds since the epoch.
    package var mtime: Int64 = 0
    /// Target of a symlink, or the earlier entry a hard link repeats.
    package var linkName: [UInt8] = []
    package var devMajor: UInt32 = 0
    package var devMinor: UInt32 = 0

    package init(name: [UInt8], kind: Kind, mode: UInt32) {
        self.name = name
        self.kind = kind
        self.mode = mode
    }

    package init(name: String, kind: Kind, mode: UInt32) {
        self.init(name: Array(name.utf8), kind: kind, mode: mode)
    }
}
