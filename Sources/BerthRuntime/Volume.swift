import BerthCore
import Foundation

/// A local volume as `docker volume inspect` shows it (Docker's `volume.Volume`). The same
/// struct, minus `Mountpoint`, is what `volumes/<name>/metadata.json` holds.
public struct Volume: Codable, Sendable, Equatable {
    public var createdAt: String
    public var driver = "local"
    /// nil prints as `null`, as Docker shows it for volumes that `run -v` created.
    public var labels: [String: String]?
    public var mountpoint: String
    public var name: String
    public var options: [String: String]?
    public var scope = "local"

    enum CodingKeys: String, CodingKey {
        case createdAt = "CreatedAt", driver = "Driver", labels = "Labels", mountpoint = "Mountpoint", name = "Name"
        case options = "Options", scope = "Scope"
    }

    public init(name: String, mountpoint: String, createdAt: String, labels: [String: String]?, options: [String: String]?) {
        self.name = name
        self.mountpoint = mountpoint
        self.createdAt = createdAt
        self.labels = labels
        self.options = options
    }

    /// Docker (23+) marks the volumes it creates for `-v /path` and image `VOLUME`s with
    /// this label; `volume prune` without `-a`, `rm -v` and `run --rm` remove only those.
    public static let anonymousLabel = "com.docker.volume.anonymous"

    public var isAnonymous: Bool { labels?[Volume.anonymousLabel] != nil }

    /// `volume ls` and `system df` sizes; inspect leaves it out, as Docker does without `-v`.
    public func diskUsage() -> Int64 { DiskUsage.bytes(mountpoint) }

    /// Encodes `Labels` and `Options` even when nil (Docker prints `null`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(driver, forKey: .driver)
        try c.encode(labels, forKey: .labels)
        try c.encode(mountpoint, forKey: .mountpoint)
        try c.encode(name, forKey: .name)
        try c.encode(options, forKey: .options)
        try c.encode(scope, forKey: .scope)
    }
}

/// The local driver's name rule. Names become directories under `volumes/`, so this is
/// what keeps `../x` or `a/b` from reaching outside it.
public enum VolumeName {
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        guard let first = bytes.first, alnum(first) else { return false }
        return bytes.dropFirst().allSatisfy { alnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    public static func validate(_ name: String, exitCode: Int32 = 1) throws(BerthError) {
        if name.utf8.count == 1 { throw .volumeNameTooShort(name, exitCode: exitCode) }
        guard isValid(name) else { throw .invalidVolumeName(name, exitCode: exitCode) }
    }

    /// A new anonymous volume's name: 64 random hex digits, like a container ID.
    public static func random() -> String { ContainerID.random().rawValue }
}

/// Bytes under a directory, each inode once, never following symlinks.
public enum DiskUsage {
    public static func bytes(_ path: String) -> Int64 {
        var seen: Set<[UInt64]> = []
        var total: Int64 = 0
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        while let name = walker.nextObject() as? String {
            var st = stat()
            guard lstat(path + "/" + name, &st) == 0, st.st_mode & S_IFMT != S_IFDIR else { continue }
            if seen.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted { total += Int64(st.st_size) }
        }
        return total
    }
}
