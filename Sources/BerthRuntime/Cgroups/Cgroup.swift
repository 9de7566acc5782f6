import BerthCore
import Foundation

/// What `--memory`, `--memory-swap`, `--cpus` and `--pids-limit` ask for (Docker's units).
public struct CgroupLimits: Sendable, Equatable {
    /// Bytes; nil: unlimited.
    public var memory: Int64?
    /// Memory plus swap in bytes; -1: unlimited swap; nil: twice `memory` (Docker's default).
    public var memorySwap: Int64?
    /// CPUs × 10⁹.
    public var nanoCpus: Int64?
    /// nil, 0 or -1: unlimited.
    public var pidsLimit: Int64?
    /// `--privileged`: every device; otherwise Docker's short list.
    public var allDevices = false

    public init() {}

    init(_ host: HostConfig) {
        memory = host.memory.flatMap { $0 > 0 ? $0 : nil }
        memorySwap = host.memorySwap.flatMap { $0 != 0 ? $0 : nil }
        nanoCpus = host.nanoCpus.flatMap { $0 > 0 ? $0 : nil }
        pidsLimit = host.pidsLimit.flatMap { $0 > 0 ? $0 : nil }
        allDevices = host.privileged
    }

    /// cgroup v1 and v2 both take the CFS quota per 100 ms period.
    static let cpuPeriod: Int64 = 100_000
    var cpuQuota: Int64? { nanoCpus.map { max(1000, $0 * Self.cpuPeriod / 1_000_000_000) } }
}

/// Usage numbers for `docker stats`.
public struct CgroupStats: Sendable {
    /// Total CPU time in nanoseconds.
    public var cpuNanos: UInt64 = 0
    /// Docker's "usage": all memory minus the inactive page cache.
    public var memoryUsage: UInt64 = 0
    /// nil: no limit (Docker then shows the host's memory).
    public var memoryLimit: UInt64?
    public var pids: UInt64 = 0
    /// Bytes read from and written to block devices.
    public var blockRead: UInt64 = 0
    public var blockWrite: UInt64 = 0
}

/// One container's cgroup: `berth/<id>` under each v1 controller on a v1 or hybrid host, or
/// one directory in the unified hierarchy on a pure v2 host. Created by `start` while init
/// waits on the sync pipe (so its cgroup namespace is rooted there), removed at cleanup.
public struct Cgroup: Sendable {
    public enum Layout: Sendable, Equatable {
        /// Controller name → its mount (`/sys/fs/cgroup/memory`), and on a hybrid host the
        /// unified mount (`/sys/fs/cgroup/unified`), which gets a directory for the BPF device program.
        case v1([String: String], unified: String?)
        /// The unified mount (`/sys/fs/cgroup`).
        case v2(String)
    }

    public let id: String
    public let layout: Layout
    /// Where Berth's cgroups live below each root: Docker's cgroupfs driver uses `docker`.
    public static let parent = "berth"

    public init(id: String, layout: Layout = Cgroup.detect()) {
        self.id = id
        self.layout = layout
    }

    /// v2 when /sys/fs/cgroup is itself the unified hierarchy; otherwise the v1 controllers
    /// that are mounted (a hybrid host keeps no controllers in v2, but its device programs
    /// are checked on top of v1's devices controller).
    public static func detect(root: String = "/sys/fs/cgroup") -> Layout {
        let fm = FileManager.default
        if fm.fileExists(atPath: root + "/cgroup.controllers") { return .v2(root) }
        var controllers: [String: String] = [:]
        for c in v1Controllers where fm.fileExists(atPath: "\(root)/\(c)/cgroup.procs") {
            controllers[c] = "\(root)/\(c)"
        }
        let unified = root + "/unified"
        return .v1(controllers, unified: fm.fileExists(atPath: unified + "/cgroup.procs") ? unified : nil)
    }

    /// cpuset is left out: a new v1 cpuset group has no CPUs until someone copies them in.
    static let v1Controllers = ["memory", "pids", "cpu", "cpuacct", "devices", "freezer", "blkio"]

    /// Every directory of this cgroup, one per hierarchy (v1 `cpu` and `cpuacct` may share one).
    public var directories: [String] {
        switch layout {
        case .v2(let root): return ["\(root)/\(Self.parent)/\(id)"]
        case .v1(let controllers, let unified):
            var seen = Set<String>()
            let v1 = controllers.keys.sorted().compactMap { c -> String? in
                let mount = controllers[c]!
                let real = (try? FileManager.default.destinationOfSymbolicLink(atPath: mount)).map {
                    $0.hasPrefix("/") ? $0 : (mount as NSString).deletingLastPathComponent + "/" + $0
                } ?? mount
                return seen.insert(real).inserted ? "\(mount)/\(Self.parent)/\(id)" : nil
            }
            return v1 + (unified.map { ["\($0)/\(Self.parent)/\(id)"] } ?? [])
        }
    }

    /// The `cgroup.procs` files `exec` writes to so its process joins the container's cgroups.
    public var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }

    /// Creates the cgroup and writes the limits. Throws with the file that refused.
    public func create(_ limits: CgroupLimits) throws {
        switch layout {
        case .v1(let c, let unified):
            try createV1(c, limits)
            if unified != nil { try attachDeviceProgram(directories.last!, limits) }
        case .v2(let root): try createV2(root, limits)
        }
    }

    /// Moves `pid` (and nothing else) into every hierarchy of this cgroup.
    public func add(pid: Int32) throws {
        for file in procsFiles { try write(file, String(pid)) }
    }

    /// Removes the directories once their processes are gone (they die with init, but the
    /// kernel may still be tearing the last ones down): waits up to `timeout` seconds.
    /// Any other hierarchy's `berth/<id>` goes too (one mounted or unmounted since `start`).
    public func destroy(timeout: Double = 3) {
        let deadline = Date().addingTimeInterval(timeout)
        for dir in directories.reversed() + strayDirectories {
            guard FileManager.default.fileExists(atPath: dir) else { continue }
            while rmdir(dir) < 0 && errno == EBUSY && Date() < deadline {
                // Anything left (a detached exec in a container without a PID namespace) goes.
                for pid in Self.pids(in: dir) { kill(pid, SIGKILL) }
                usleep(10_000)
            }
        }
    }

    /// `berth/<id>` in hierarchies under the cgroup root that `directories` does not name.
    var strayDirectories: [String] {
        let root: String
        switch layout {
        case .v2(let r): root = r
        case .v1(let c, _): root = (c.values.first.map { ($0 as NSString).deletingLastPathComponent }) ?? "/sys/fs/cgroup"
        }
        let known = Set(directories)
        let mounts = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).map { root + "/" + $0 }
        return mounts.map { "\($0)/\(Self.parent)/\(id)" }.filter { !known.contains($0) && FileManager.default.fileExists(atPath: $0) }
    }

    static func pids(in dir: String) -> [Int32] {
        ((try? String(contentsOfFile: dir + "/cgroup.procs", encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { Int32($0) }
    }

    /// Whether the kernel's OOM killer killed a process in this cgroup.
    public var oomKilled: Bool {
        switch layout {
        case .v1(let c, _):
            guard let mem = c["memory"] else { return false }
            return Self.keyed(read("\(mem)/\(Self.parent)/\(id)/memory.oom_control"))["oom_kill"].map { $0 > 0 } ?? false
        case .v2(let root):
            return Self.keyed(read("\(root)/\(Self.parent)/\(id)/memory.events"))["oom_kill"].map { $0 > 0 } ?? false
        }
    }

    public func stats() -> CgroupStats {
        switch layout {
        case .v1(let c, _): return statsV1(c)
        case .v2(let root): return statsV2(root)
        }
    }

    // MARK: files

    func write(_ path: String, _ value: String) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error(path, value) }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        guard bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
            throw Self.error(path, value)
        }
    }

    func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func readNumber(_ path: String) -> UInt64? {
        UInt64(read(path).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func error(_ path: String, _ value: String) -> BerthError {
        .internalError("failed to write \"\(value)\" to \(path): \(String(cString: strerror(errno)))")
    }

    /// `key value` lines (memory.stat, memory.events, memory.oom_control).
    static func keyed(_ text: String) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ")
            if f.count == 2, let v = UInt64(f[1]) { out[String(f[0])] = v }
        }
        return out
    }
}
