import Foundation

/// The plan file the monitor reads (Documentation/Monitor.md): records of a key and a fixed
/// number of fields, every one NUL-terminated. Built entirely here, in Swift, so the C child
/// only copies pointers after clone.
struct MonitorPlan {
    private(set) var bytes: [UInt8] = []

    mutating func add(_ key: String, _ fields: String...) {
        for s in [key] + fields {
            precondition(!s.utf8.contains(0), "NUL in plan field")
            bytes.append(contentsOf: s.utf8)
            bytes.append(0)
        }
    }

    var data: Data { Data(bytes) }
}

/// Linux mount flags (sys/mount.h), spelled out because Swift does not import the enum.
enum MountFlag {
    static let rdonly: UInt = 1
    static let nosuid: UInt = 2
    static let nodev: UInt = 4
    static let noexec: UInt = 8
    static let bind: UInt = 4096
    static let rec: UInt = 16384
    static let strictatime: UInt = 1 << 24
}

/// One mount in the container, in the order the child performs them.
struct PlannedMount {
    var type: String
    var source: String
    var target: String
    var flags: UInt
    var data: String = ""
    /// For binds of a file: the child creates an empty file as the mount point.
    var targetIsFile = false

    /// Docker's default mounts (runc's spec defaults): proc, /dev, devpts, shm, mqueue, sysfs.
    static let defaults: [PlannedMount] = [
        .init(type: "proc", source: "proc", target: "/proc", flags: MountFlag.nosuid | MountFlag.noexec | MountFlag.nodev),
        .init(type: "tmpfs", source: "tmpfs", target: "/dev", flags: MountFlag.nosuid | MountFlag.strictatime,
              data: "mode=755,size=65536k"),
        .init(type: "devpts", source: "devpts", target: "/dev/pts", flags: MountFlag.nosuid | MountFlag.noexec,
              data: "newinstance,ptmxmode=0666,mode=0620,gid=5"),
        .init(type: "tmpfs", source: "shm", target: "/dev/shm",
              flags: MountFlag.nosuid | MountFlag.noexec | MountFlag.nodev, data: "mode=1777,size=65536k"),
        .init(type: "mqueue", source: "mqueue", target: "/dev/mqueue",
              flags: MountFlag.nosuid | MountFlag.noexec | MountFlag.nodev),
        .init(type: "sysfs", source: "sysfs", target: "/sys",
              flags: MountFlag.nosuid | MountFlag.noexec | MountFlag.nodev | MountFlag.rdonly),
    ]

    static func bind(_ source: String, _ target: String, readOnly: Bool, file: Bool) -> PlannedMount {
        .init(type: "bind", source: source, target: target,
              flags: MountFlag.bind | MountFlag.rec | (readOnly ? MountFlag.rdonly : 0), targetIsFile: file)
    }
}
