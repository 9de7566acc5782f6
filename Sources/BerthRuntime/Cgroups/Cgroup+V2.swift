import BerthCore
import CBerth
import Foundation

extension Cgroup {
    /// The unified hierarchy: the parent enables the controllers for its children (it holds
    /// no processes itself, as v2 requires), then the container's directory gets the limits.
    func createV2(_ root: String, _ limits: CgroupLimits) throws {
        let parent = "\(root)/\(Self.parent)"
        let dir = directories[0]
        let available = Set(read(root + "/cgroup.controllers").split(whereSeparator: \.isWhitespace).map(String.init))
        let wanted = ["cpu", "memory", "pids"].filter(available.contains)
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        // best effort: a limit that needs a controller we could not enable fails below, by name
        for c in wanted {
            try? write(root + "/cgroup.subtree_control", "+" + c)
            try? write(parent + "/cgroup.subtree_control", "+" + c)
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw BerthError.internalError("cannot create cgroup \(dir): \(error.localizedDescription)")
        }
        if let m = limits.memory {
            try write(dir + "/memory.max", String(m))
            if FileManager.default.fileExists(atPath: dir + "/memory.swap.max") {
                let swap = limits.memorySwap ?? m * 2
                try write(dir + "/memory.swap.max", swap < 0 ? "max" : String(max(0, swap - m)))
            }
        }
        if let n = limits.pidsLimit { try write(dir + "/pids.max", String(n)) }
        if let quota = limits.cpuQuota { try write(dir + "/cpu.max", "\(quota) \(CgroupLimits.cpuPeriod)") }
        try attachDeviceProgram(dir, limits)
    }

    /// v2 has no devices controller: a BPF program attached to the directory allows Docker's
    /// short list (`--privileged`: everything, so none). It is freed with the directory.
    func attachDeviceProgram(_ dir: String, _ limits: CgroupLimits) throws {
        if limits.allDevices { return }
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BerthError.internalError("cannot open cgroup \(dir): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var log = [CChar](repeating: 0, count: 4096)
        guard berth_devices_attach(fd, &log, UInt32(log.count)) == 0 else {
            let reason = String(cString: strerror(errno))
            let verifier = String(cString: log).split(separator: "\n").prefix(3).joined(separator: "; ")
            throw BerthError.internalError("cannot attach the device program to \(dir): \(reason)"
                + (verifier.isEmpty ? "" : " (\(verifier))"))
        }
    }

    func statsV2(_ root: String) -> CgroupStats {
        let dir = directories[0]
        var s = CgroupStats()
        s.cpuNanos = (Self.keyed(read(dir + "/cpu.stat"))["usage_usec"] ?? 0) * 1000
        let usage = readNumber(dir + "/memory.current") ?? 0
        let inactive = Self.keyed(read(dir + "/memory.stat"))["inactive_file"] ?? 0
        s.memoryUsage = usage > inactive ? usage - inactive : usage
        s.memoryLimit = readNumber(dir + "/memory.max")  // "max" does not parse: no limit
        s.pids = readNumber(dir + "/pids.current") ?? 0
        // "MAJ:MIN rbytes=N wbytes=N ..." per device
        for line in read(dir + "/io.stat").split(separator: "\n") {
            for kv in line.split(separator: " ") {
                let p = kv.split(separator: "=")
                guard p.count == 2, let v = UInt64(p[1]) else { continue }
                if p[0] == "rbytes" { s.blockRead += v } else if p[0] == "wbytes" { s.blockWrite += v }
            }
        }
        return s
    }
}
