import BerthCore
import CBerth
import Foundation

extension Runtime {
    /// Docker's default mounts adjusted for this container: `--shm-size`, a writable /sys for
    /// `--privileged`, the cgroup view below /sys, and the `--tmpfs` mounts (noexec,nosuid,nodev
    /// unless the options say otherwise).
    func securityMounts(_ mounts: [PlannedMount], host: HostConfig, cgroup: Cgroup) -> [PlannedMount] {
        var out = mounts.flatMap { m -> [PlannedMount] in
            var m = m
            if m.target == "/dev/shm", let size = host.shmSize, size > 0 {
                m.data = "mode=1777,size=\(size)"
            }
            guard m.target == "/sys" else { return [m] }
            if host.privileged { m.flags &= ~MountFlag.rdonly }
            return [m] + cgroup.containerMounts(privileged: host.privileged)
        }
        for (path, options) in (host.tmpfs ?? [:]).sorted(by: { $0.key < $1.key }) {
            var flags = MountFlag.nosuid | MountFlag.nodev | MountFlag.noexec
            var data: [String] = []
            for o in options.split(separator: ",").map(String.init) {
                switch o {
                case "ro": flags |= MountFlag.rdonly
                case "rw": flags &= ~MountFlag.rdonly
                case "suid": flags &= ~MountFlag.nosuid
                case "nosuid": flags |= MountFlag.nosuid
                case "dev": flags &= ~MountFlag.nodev
                case "nodev": flags |= MountFlag.nodev
                case "exec": flags &= ~MountFlag.noexec
                case "noexec": flags |= MountFlag.noexec
                default: data.append(o)
                }
            }
            out.append(.init(type: "tmpfs", source: "tmpfs", target: path, flags: flags, data: data.joined(separator: ",")))
        }
        return out
    }

    /// The security records of the plan (Monitor.md, "Security"): capabilities,
    /// no_new_privs, the seccomp program (compiled here into `containers/<id>/seccomp.bpf`),
    /// masked and read-only paths, a read-only root, and the host's devices for `--privileged`.
    func addSecurityRecords(_ plan: inout MonitorPlan, host: HostConfig, containerID: ContainerID, containerDir: String) throws {
        let sec = try ContainerSecurity(host)
        plan.add("caps", sec.sets.planFields[0], sec.sets.planFields[1], sec.sets.planFields[2],
                 sec.sets.planFields[3], sec.sets.planFields[4])
        if sec.noNewPrivileges { plan.add("nonewprivs", "1") }
        let bpfPath = containerDir + "/seccomp.bpf"
        if let filter = try sec.compiledFilter() {
            try AtomicFile.write(Data(filter), to: bpfPath, mode: 0o600)
            plan.add("seccomp", bpfPath)
        } else {
            try? FileManager.default.removeItem(atPath: bpfPath)
        }
        for p in sec.maskedPaths { plan.add("maskpath", p) }
        for p in sec.readOnlyPaths { plan.add("readonlypath", p) }
        if let p = Cgroup(id: containerID.rawValue).readOnlyMountPoint(privileged: host.privileged) { plan.add("readonlypath", p) }
        if sec.readOnlyRootfs { plan.add("readonlyrootfs", "1") }
        if host.privileged {
            for d in HostDevices.list() {
                plan.add("device", d.path, d.block ? "b" : "c", String(d.major), String(d.minor),
                         String(d.mode, radix: 8), String(d.uid), String(d.gid))
            }
        }
    }

    /// Puts init into the container's own cgroup with its limits, while it waits on the sync
    /// pipe. Throws when a limit cannot be set; the monitor's cleanup then removes the cgroup.
    func joinCgroup(id: ContainerID, pid: Int32, host: HostConfig) throws {
        let cgroup = Cgroup(id: id.rawValue)
        try cgroup.create(CgroupLimits(host))
        try cgroup.add(pid: pid)
    }

    /// Removes the container's cgroup at cleanup; returns whether the OOM killer struck in it.
    func leaveCgroup(id: ContainerID) -> Bool {
        let cgroup = Cgroup(id: id.rawValue)
        let oom = cgroup.oomKilled
        cgroup.destroy()
        return oom
    }

    /// `docker stats`: the cgroup's numbers for a running container.
    public func cgroupStats(_ record: ContainerRecord) -> CgroupStats {
        Cgroup(id: record.id.rawValue).stats()
    }
}

/// The host's device nodes, which `--privileged` copies into the container's /dev.
enum HostDevices {
    struct Device {
        var path: String
        var block: Bool
        var major: UInt32
        var minor: UInt32
        var mode: UInt32
        var uid: UInt32
        var gid: UInt32
    }

    /// Container-private ones (its own PTYs, console, shm) are left out.
    static let skip: Set<String> = ["/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/console", "/dev/ptmx", "/dev/tty",
                                    "/dev/fd", "/dev/core"]

    static func list(_ dir: String = "/dev") -> [Device] {
        var out: [Device] = []
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            let path = dir + "/" + name
            if skip.contains(path) { continue }
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: out += list(path)
            case S_IFCHR, S_IFBLK:
                out.append(Device(path: path, block: st.st_mode & S_IFMT == S_IFBLK,
                                  major: berth_dev_major(UInt64(st.st_rdev)), minor: berth_dev_minor(UInt64(st.st_rdev)),
                                  mode: UInt32(st.st_mode & 0o7777), uid: st.st_uid, gid: st.st_gid))
            default: continue
            }
        }
        return out
    }
}

/// What `exec` hands to `berth_exec_spawn` so the new process is as confined as init: the
/// same capabilities and seccomp program, and the container's cgroups.
struct ExecSecurity {
    let security: ContainerSecurity
    let filter: [UInt8]
    let cgroupFDs: [Int32]

    init(host: HostConfig, containerID: ContainerID) throws {
        security = try ContainerSecurity(host)
        filter = try security.compiledFilter() ?? []
        var fds: [Int32] = []
        for file in Cgroup(id: containerID.rawValue).procsFiles {
            let fd = open(file, O_WRONLY | O_CLOEXEC)
            if fd >= 0 { fds.append(fd) }
        }
        cgroupFDs = fds
    }

    /// Fills `spec.security` and `spec.cgroup_fds` with pointers valid only inside `body`.
    func apply<R>(to spec: inout berth_exec_spec, _ body: (inout berth_exec_spec) -> R) -> R {
        filter.withUnsafeBytes { f in
            cgroupFDs.withUnsafeBufferPointer { c in
                spec.security.flags = BERTH_SEC_CAPS.rawValue
                    | (security.noNewPrivileges ? BERTH_SEC_NO_NEW_PRIVS.rawValue : 0)
                spec.security.cap_bounding = security.sets.bounding
                spec.security.cap_effective = security.sets.effective
                spec.security.cap_permitted = security.sets.permitted
                spec.security.cap_inheritable = security.sets.inheritable
                spec.security.cap_ambient = security.sets.ambient
                spec.security.seccomp_filter = filter.isEmpty ? nil : f.baseAddress
                spec.security.seccomp_len = UInt32(filter.count / 8)
                spec.cgroup_fds = c.baseAddress
                spec.n_cgroup_fds = c.count
                return body(&spec)
            }
        }
    }

    func close() {
        for fd in cgroupFDs { Glibc.close(fd) }
    }
}
