import Foundation

extension Cgroup {
    /// Docker's /sys/fs/cgroup inside the container, so a JVM or Node sees its own limits: the
    /// child mounts these after it entered its cgroup namespace, where each hierarchy's root is
    /// the container's own directory. On v2 the unified hierarchy; on v1 a tmpfs holding one
    /// mount per hierarchy Berth puts the container in (the hybrid host's unified one is left
    /// out, as Docker leaves it). Read-only unless `--privileged`; on v1 the tmpfs is frozen
    /// by `readOnlyMountPoint` once its directories exist.
    func containerMounts(privileged: Bool) -> [PlannedMount] {
        let flags = MountFlag.nosuid | MountFlag.noexec | MountFlag.nodev | (privileged ? 0 : MountFlag.rdonly)
        switch layout {
        case .v2:
            return [.init(type: "cgroup2", source: "cgroup", target: Self.mountPoint, flags: flags)]
        case .v1:
            let hierarchies = Self.v1Hierarchies()
            // a joined hierarchy's other names are symlinks (cpu -> cpu,cpuacct); mountinfo has the real one
            let used = Set(directories.map {
                URL(fileURLWithPath: $0).deletingLastPathComponent().deletingLastPathComponent().resolvingSymlinksInPath().path
            })
            return [.init(type: "tmpfs", source: "tmpfs", target: Self.mountPoint,
                          flags: MountFlag.nosuid | MountFlag.noexec | MountFlag.nodev, data: "mode=755")]
                + hierarchies.filter { used.contains($0.mountPoint) }.map {
                    .init(type: "cgroup", source: "cgroup", target: Self.mountPoint + "/" + ($0.mountPoint as NSString).lastPathComponent,
                          flags: flags, data: $0.controllers)
                }
        }
    }

    /// What `readonlypath` must freeze after the mounts: the v1 tmpfs (its hierarchies are
    /// read-only mounts already); nil on v2 or for `--privileged`.
    func readOnlyMountPoint(privileged: Bool) -> String? {
        if privileged { return nil }
        if case .v1 = layout { return Self.mountPoint }
        return nil
    }

    static let mountPoint = "/sys/fs/cgroup"

    /// The host's v1 hierarchies from /proc/self/mountinfo: where each is mounted and the
    /// controllers it holds (`cpu,cpuacct` when they are mounted together).
    static func v1Hierarchies(_ mountinfo: String = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "")
        -> [(mountPoint: String, controllers: String)]
    {
        mountinfo.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ").map(String.init)
            guard let dash = f.firstIndex(of: "-"), dash >= 6, dash + 3 < f.count, f[dash + 1] == "cgroup" else { return nil }
            let controllers = f[dash + 3].split(separator: ",").filter { v1Controllers.contains(String($0)) }
            return controllers.isEmpty ? nil : (f[4], controllers.joined(separator: ","))
        }
    }
}
