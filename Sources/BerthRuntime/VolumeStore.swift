import BerthCore
import Foundation

extension StatePaths {
    /// `volumes/`: one directory per volume, as Docker's local driver keeps them.
    public var volumes: String { root + "/volumes" }
    public func volume(_ name: String) -> String { volumes + "/" + name }
    /// What containers see: `volumes/<name>/_data`.
    public func volumeData(_ name: String) -> String { volume(name) + "/_data" }
}

/// Reads and writes `volumes/<name>/{_data,metadata.json}`. Docker keeps the metadata in
/// `volumes/metadata.db` (bbolt); a JSON file per volume keeps every write atomic without a
/// database, and a directory without one is a volume whose creation did not finish.
/// Callers hold the state lock around every read-modify-write.
struct VolumeStore {
    let paths: StatePaths

    func metadataPath(_ name: String) -> String { paths.volume(name) + "/metadata.json" }

    func load(_ name: String) -> Volume? {
        guard VolumeName.isValid(name), var v = try? readJSON(Volume.self, from: metadataPath(name)) else { return nil }
        v.mountpoint = paths.volumeData(name)  // follows the state root if it moved
        return v
    }

    /// Every volume, sorted by name (as `docker volume ls` prints them).
    func all() -> [Volume] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: paths.volumes)) ?? []
        return names.sorted().compactMap { load($0) }
    }

    /// Creates the volume, or returns the existing one of that name (Docker's create is idempotent).
    func create(_ name: String, labels: [String: String]?, options: [String: String]?) throws -> (Volume, created: Bool) {
        if let existing = load(name) { return (existing, false) }
        try ensureDirectory(paths.volumes, mode: 0o701)  // Docker's mode: others may traverse, not list
        let dir = paths.volume(name)
        try? FileManager.default.removeItem(atPath: dir)  // the leftovers of a crash mid-create
        do {
            try ensureDirectory(paths.volumeData(name), mode: 0o755)
            let volume = Volume(
                name: name, mountpoint: paths.volumeData(name), createdAt: VolumeStore.now(), labels: labels, options: options)
            try AtomicFile.writeJSON(volume, to: metadataPath(name))
            return (volume, true)
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    /// Metadata first, so a crash midway leaves a directory that `all()` does not list.
    func remove(_ name: String) throws {
        try? FileManager.default.removeItem(atPath: metadataPath(name))
        try FileManager.default.removeItem(atPath: paths.volume(name))
    }

    /// Go's `time.RFC3339` in UTC (whole seconds), what Docker prints as `CreatedAt`.
    static func now() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
            Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }
}
