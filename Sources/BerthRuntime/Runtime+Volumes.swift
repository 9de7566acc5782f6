import BerthCore
import Foundation

extension Runtime {
    var volumeStore: VolumeStore { VolumeStore(paths: paths) }

    /// `docker volume create [NAME]`: a random 64-hex name when none is given; an existing
    /// name returns that volume unchanged, as Docker does.
    public func createVolume(name: String?, labels: [String: String] = [:]) throws -> Volume {
        if let name { try VolumeName.validate(name) }
        return try paths.withLock {
            try volumeStore.create(name ?? VolumeName.random(), labels: labels, options: [:]).0
        }
    }

    /// Every volume, sorted by name.
    public func volumes() throws -> [Volume] {
        try paths.withLock { volumeStore.all() }
    }

    public func volume(_ name: String) throws -> Volume {
        guard let v = try paths.withLock({ volumeStore.load(name) }) else { throw BerthError.noSuchVolume(name) }
        return v
    }

    /// Volume name → the containers (running or stopped) that mount it, by full ID.
    public func volumeUsers() throws -> [String: [String]] {
        try paths.withLock { volumeUsersLocked() }
    }

    func volumeUsersLocked() -> [String: [String]] {
        var users: [String: [String]] = [:]
        for r in store.all().sorted(by: { $0.created < $1.created }) {
            for m in r.volumeMounts { users[m.name, default: []].append(r.id.rawValue) }
        }
        return users
    }

    /// `docker volume rm [-f] NAME`: refused while any container references the volume;
    /// `force` only silences "no such volume", as in Docker.
    public func removeVolume(_ name: String, force: Bool = false) throws {
        try paths.withLock {
            guard volumeStore.load(name) != nil else {
                if force { return }
                throw BerthError.noSuchVolume(name)
            }
            if let users = volumeUsersLocked()[name], !users.isEmpty { throw BerthError.volumeInUse(name, by: users) }
            try volumeStore.remove(name)
        }
    }

    /// `docker volume prune [-a]`: unused anonymous volumes (every unused volume with `all`).
    /// Returns the removed names and the bytes they held.
    public func pruneVolumes(all: Bool) throws -> (names: [String], reclaimed: Int64) {
        try paths.withLock {
            let users = volumeUsersLocked()
            var names: [String] = []
            var reclaimed: Int64 = 0
            for v in volumeStore.all() where users[v.name] == nil && (all || v.isAnonymous) {
                let size = v.diskUsage()
                try volumeStore.remove(v.name)
                names.append(v.name)
                reclaimed += size
            }
            return (names, reclaimed)
        }
    }

    /// The volumes a new container mounts, by destination: the named ones of `-v NAME:/path`
    /// (created when missing), and an anonymous one for each `-v /path` and each image
    /// `VOLUME` that no `-v` covers. Names of volumes created here go to `created`, so a
    /// failed create can take them back.
    func prepareVolumesLocked(_ mounts: [MountSpec], imageVolumes: [String], created: inout [String]) throws
        -> [String: ContainerRecord.MountPoint]
    {
        var points: [String: ContainerRecord.MountPoint] = [:]
        func add(_ name: String, _ destination: String, labels: [String: String]?, rw: Bool, mode: String, copyData: Bool) throws {
            let (volume, isNew) = try volumeStore.create(name, labels: labels, options: nil)
            if isNew { created.append(name) }
            points[destination] = .init(
                name: name, source: volume.mountpoint, destination: destination, rw: rw, mode: mode, copyData: copyData)
        }
        let anonymous = [Volume.anonymousLabel: ""]
        for m in mounts {
            switch m {
            case .bind: continue
            case .volume(let name, let destination, let readOnly, let copyData):
                try add(name, destination, labels: nil, rw: !readOnly, mode: readOnly ? "ro" : "z", copyData: copyData)
            case .anonymous(let destination):
                try add(VolumeName.random(), destination, labels: anonymous, rw: true, mode: "", copyData: true)
            }
        }
        let covered = Set(mounts.map(\.destination))
        for path in imageVolumes {
            let destination = (path as NSString).standardizingPath
            guard destination.hasPrefix("/"), destination != "/", !covered.contains(destination), points[destination] == nil else { continue }
            try add(VolumeName.random(), destination, labels: anonymous, rw: true, mode: "", copyData: true)
        }
        return points
    }

    /// `rm -v` and `--rm`: the container's anonymous volumes that no other container uses.
    /// Named volumes stay, as in Docker. Call after the container's record is gone.
    func removeAnonymousVolumesLocked(of record: ContainerRecord) {
        let users = volumeUsersLocked()
        for m in record.volumeMounts where users[m.name] == nil {
            guard let v = volumeStore.load(m.name), v.isAnonymous else { continue }
            try? volumeStore.remove(m.name)
        }
    }
}
