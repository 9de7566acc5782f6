import BerthCore
import Foundation

extension Cgroup {
    /// runc's default device rules: mknod of anything, use of the harmless few (and PTYs, tun).
    static let allowedDevices = [
        "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm", "c 5:0 rwm",
        "c 5:1 rwm", "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm",
    ]

    func createV1(_ controllers: [String: String], _ limits: CgroupLimits) throws {
        for dir in directories {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw BerthError.internalError("cannot create cgroup \(dir): \(error.localizedDescription)")
            }
        }
        func dir(_ c: String) -> String? { controllers[c].map { "\($0)/\(Self.parent)/\(id)" } }
        if let mem = dir("memory") {
            if let m = limits.memory {
                try write(mem + "/memory.limit_in_bytes", String(m))
                // memsw exists only with swap accounting; it must not be below the memory limit
                let swap = limits.memorySwap ?? m * 2
                if FileManager.default.fileExists(atPath: mem + "/memory.memsw.limit_in_bytes") {
                    try write(mem + "/memory.memsw.limit_in_bytes", swap < 0 ? "-1" : String(max(swap, m)))
                }
            }
        }
        if let pids = dir("pids"), let n = limits.pidsLimit {
            try write(pids + "/pids.max", String(n))
        }
        if let cpu = dir("cpu"), let quota = limits.cpuQuota {
            try write(cpu + "/cpu.cfs_period_us", String(CgroupLimits.cpuPeriod))
            try write(cpu + "/cpu.cfs_quota_us", String(quota))
        }
        if let dev = dir("devices") {
            if limits.allDevices {
                try write(dev + "/devices.allow", "a")
            } else {
                try write(dev + "/devices.deny", "a")
                for rule in Self.allowedDevices { try write(dev + "/devices.allow", rule) }
            }
        }
    }

    func statsV1(_ controllers: [String: String]) -> CgroupStats {
        func dir(_ c: String) -> String { "\(controllers[c] ?? "/nonexistent")/\(Self.parent)/\(id)" }
        var s = CgroupStats()
        s.cpuNanos = readNumber(dir("cpuacct") + "/cpuacct.usage") ?? 0
        let usage = readNumber(dir("memory") + "/memory.usage_in_bytes") ?? 0
        let inactive = Self.keyed(read(dir("memory") + "/memory.stat"))["total_inactive_file"] ?? 0
        s.memoryUsage = usage > inactive ? usage - inactive : usage
        // v1 writes "unlimited" as the largest page-aligned number
        if let limit = readNumber(dir("memory") + "/memory.limit_in_bytes"), limit < 1 << 62 { s.memoryLimit = limit }
        s.pids = readNumber(dir("pids") + "/pids.current") ?? 0
        // "MAJ:MIN Read N" lines, one set per device
        for line in read(dir("blkio") + "/blkio.throttle.io_service_bytes").split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 3, let v = UInt64(f[2]) else { continue }
            if f[1] == "Read" { s.blockRead += v } else if f[1] == "Write" { s.blockWrite += v }
        }
        return s
    }
}
