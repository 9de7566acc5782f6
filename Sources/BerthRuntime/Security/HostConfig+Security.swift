import BerthCore
import Foundation

extension HostConfig {
    /// The security and resource fields; absent on disk (older records) means the default.
    mutating func decodeSecurity(_ c: KeyedDecodingContainer<CodingKeys>) throws {
        capAdd = try c.decodeIfPresent([String].self, forKey: .capAdd)
        capDrop = try c.decodeIfPresent([String].self, forKey: .capDrop)
        securityOpt = try c.decodeIfPresent([String].self, forKey: .securityOpt)
        readonlyRootfs = try c.decodeIfPresent(Bool.self, forKey: .readonlyRootfs)
        tmpfs = try c.decodeIfPresent([String: String].self, forKey: .tmpfs)
        shmSize = try c.decodeIfPresent(Int64.self, forKey: .shmSize)
        memory = try c.decodeIfPresent(Int64.self, forKey: .memory)
        memorySwap = try c.decodeIfPresent(Int64.self, forKey: .memorySwap)
        nanoCpus = try c.decodeIfPresent(Int64.self, forKey: .nanoCpus)
        pidsLimit = try c.decodeIfPresent(Int64.self, forKey: .pidsLimit)
    }

    /// Docker writes every field, with its default when the flag was not given (so
    /// `{{.HostConfig.Memory}}` prints 0 and `{{.HostConfig.CapAdd}}` `[]`), except Tmpfs.
    func encodeSecurity(_ c: inout KeyedEncodingContainer<CodingKeys>) throws {
        try c.encode(capAdd, forKey: .capAdd)
        try c.encode(capDrop, forKey: .capDrop)
        try c.encode(securityOpt, forKey: .securityOpt)
        try c.encode(readonlyRootfs ?? false, forKey: .readonlyRootfs)
        try c.encodeIfPresent(tmpfs, forKey: .tmpfs)
        try c.encode(shmSize ?? Self.defaultShmSize, forKey: .shmSize)
        try c.encode(memory ?? 0, forKey: .memory)
        try c.encode(memorySwap ?? 0, forKey: .memorySwap)
        try c.encode(nanoCpus ?? 0, forKey: .nanoCpus)
        // *int64 in Docker: a nil pointer, which templates print as <nil>
        if let pidsLimit { try c.encode(pidsLimit, forKey: .pidsLimit) } else { try c.encodeNil(forKey: .pidsLimit) }
    }

    /// Docker's /dev/shm: 64 MiB.
    static let defaultShmSize: Int64 = 64 << 20

    /// Copies `create`'s security and resource flags in, validated as Docker validates them.
    mutating func applySecurity(_ spec: ContainerSpec, defaultPidsLimit: Int64?) throws {
        privileged = spec.privileged
        capAdd = spec.capAdd.isEmpty ? nil : spec.capAdd
        capDrop = spec.capDrop.isEmpty ? nil : spec.capDrop
        _ = try Capabilities.effective(add: spec.capAdd, drop: spec.capDrop, privileged: false)
        securityOpt = spec.securityOpt.isEmpty ? nil : try SecurityOptions.inlining(spec.securityOpt)
        _ = try SecurityOptions(securityOpt ?? [])
        readonlyRootfs = spec.readOnly ? true : nil
        if !spec.tmpfs.isEmpty {
            var map: [String: String] = [:]
            for t in spec.tmpfs {
                let parts = t.split(separator: ":", maxSplits: 1).map(String.init)
                guard let path = parts.first, path.hasPrefix("/") else {
                    throw BerthError.daemon("invalid mount config for type \"tmpfs\": invalid mount path: '\(t)' mount path must be absolute", exitCode: 125)
                }
                map[path] = parts.count > 1 ? parts[1] : ""
            }
            tmpfs = map
        }
        shmSize = spec.shmSize
        if let m = spec.memory, m > 0, m < 6 * 1024 * 1024 {
            throw BerthError.daemon("Minimum memory limit allowed is 6MB", exitCode: 125)
        }
        if let s = spec.memorySwap, s > 0 {
            guard let m = spec.memory, m > 0 else {
                throw BerthError.daemon("You should always set the Memory limit when using Memoryswap limit, see usage",
                                        exitCode: 125)
            }
            if s < m {
                throw BerthError.daemon("Minimum memoryswap limit should be larger than memory limit, see usage",
                                        exitCode: 125)
            }
        }
        memory = spec.memory
        memorySwap = spec.memorySwap
        if let n = spec.nanoCpus {
            let cpus = Int64(ProcessInfo.processInfo.activeProcessorCount)
            // below 0.01 the CFS quota would be under the kernel's 1 ms minimum
            if n < 0 || (n > 0 && n < 10_000_000) || n > cpus * 1_000_000_000 {
                throw BerthError.daemon(
                    "Range of CPUs is from 0.01 to \(cpus).00, as there are only \(cpus) CPUs available", exitCode: 125)
            }
        }
        nanoCpus = spec.nanoCpus
        pidsLimit = spec.pidsLimit ?? defaultPidsLimit
        // a profile that parses but libseccomp refuses fails here, before there is a container
        _ = try ContainerSecurity(self).compiledFilter()
    }
}

/// Docker's sizes: `64m`, `1g`, `512k`, `100` (bytes); binary units, `b` optional.
public enum ByteSize {
    public static func parse(_ text: String) -> Int64? {
        let s = text.lowercased().trimmingCharacters(in: .whitespaces)
        var digits = s.prefix { $0.isNumber || $0 == "." }
        var unit = s.dropFirst(digits.count)
        if unit.hasSuffix("ib") { unit = unit.dropLast(2) } else if unit.hasSuffix("b") && unit.count > 1 { unit = unit.dropLast() }
        let mult: Double
        switch unit {
        case "", "b": mult = 1
        case "k": mult = 1024
        case "m": mult = 1024 * 1024
        case "g": mult = 1024 * 1024 * 1024
        case "t": mult = 1024 * 1024 * 1024 * 1024
        default: return nil
        }
        if digits.isEmpty { digits = "x" }
        guard let v = Double(digits), v >= 0 else { return nil }
        return Int64(v * mult)
    }
}
