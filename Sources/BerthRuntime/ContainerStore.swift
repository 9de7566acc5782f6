import BerthCore
import Foundation

/// Reads and writes container records under `containers/`. Callers hold the state lock
/// around every read-modify-write (`paths.withLock`).
struct ContainerStore {
    let paths: StatePaths

    func configPath(_ id: ContainerID) -> String { paths.container(id.rawValue) + "/config.v2.json" }
    func hostConfigPath(_ id: ContainerID) -> String { paths.container(id.rawValue) + "/hostconfig.json" }

    func all() -> [ContainerRecord] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: paths.containers)) ?? []
        return ids.compactMap { ContainerID(rawValue: $0) }.compactMap { try? load($0) }
    }

    /// Container directories with no record in them (a `create` killed before it finished).
    func incomplete() -> [String] {
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: paths.containers)) ?? []
        return ids.filter { ContainerID(rawValue: $0) != nil && !FileManager.default.fileExists(atPath: paths.container($0) + "/config.v2.json") }
    }

    func load(_ id: ContainerID) throws -> ContainerRecord {
        try readJSON(ContainerRecord.self, from: configPath(id))
    }

    func hostConfig(_ id: ContainerID) throws -> HostConfig {
        try readJSON(HostConfig.self, from: hostConfigPath(id))
    }

    func save(_ record: ContainerRecord) throws {
        try AtomicFile.writeJSON(record, to: configPath(record.id))
    }

    func save(_ host: HostConfig, for id: ContainerID) throws {
        try AtomicFile.writeJSON(host, to: hostConfigPath(id))
    }

    /// Name, full ID or unique prefix → the record, with Docker's errors.
    func resolve(_ ref: String) throws(BerthError) -> ContainerRecord {
        let records = all()
        let candidates = records.map { (id: $0.id.rawValue, name: $0.displayName, value: $0) }
        switch NameResolver.resolve(ref, in: candidates) {
        case .found(let r): return r
        case .none: throw .noSuchContainer(ref)
        case .ambiguous: throw .ambiguousContainer(ref)
        }
    }
}
