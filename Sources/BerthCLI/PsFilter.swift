import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// `docker ps --filter KEY=VALUE`, as the daemon's `list.go` reads it: values of one key
/// are OR-ed, keys AND-ed (labels AND-ed too); `name`, `id` and `status` match exactly or
/// as an unanchored regular expression (Go's `filters.Args.Match`).
struct PsFilter {
    static let keys: Set<String> = [
        "ancestor", "before", "exited", "id", "label", "name", "status", "health", "since", "volume", "network",
        "is-task", "publish", "expose",
    ]
    static let statuses: Set<String> = ["created", "restarting", "running", "removing", "paused", "exited", "dead"]

    private(set) var values: [String: Set<String>] = [:]

    /// Parses the flag values; a value without `=` is cobra's flag error, an unknown key or
    /// a bad value the daemon's `invalid filter`.
    init(_ flags: [String]) throws {
        for flag in flags {
            guard let eq = flag.firstIndex(of: "=") else {
                let (text, code) = DockerUsage.flagError(
                    "invalid argument \"\(flag)\" for \"-f, --filter\" flag: bad format of filter (expected name=value)", path: "ps")
                throw BerthError(message: text, exitCode: code)
            }
            let key = flag[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            values[key, default: []].insert(String(flag[flag.index(after: eq)...]).trimmingCharacters(in: .whitespaces))
        }
        for key in values.keys.sorted() where !Self.keys.contains(key) { throw BerthError.daemon("invalid filter '\(key)'") }
        for v in values["status", default: []] where !Self.statuses.contains(v) { throw Self.invalid("status", v) }
        for v in values["health", default: []] where !["starting", "healthy", "unhealthy", "none"].contains(v) {
            throw Self.invalid("health", v)
        }
        for v in values["exited", default: []] where Int32(v) == nil {
            throw BerthError.daemon("strconv.Atoi: parsing \"\(v)\": invalid syntax")
        }
        for v in values["is-task", default: []] where v != "true" && v != "false" { throw Self.invalid("is-task", v) }
    }

    static func invalid(_ key: String, _ value: String) -> BerthError { .daemon("invalid filter '\(key)=\(value)'") }

    /// A status filter lists stopped containers without `-a`, as Docker's does.
    var showsAll: Bool { values["status"] != nil }

    /// The records that pass, newest first. `before`/`since` name containers (which must exist);
    /// `ancestor` names images (an unknown one matches nothing).
    func apply(_ records: [ContainerRecord], runtime: Runtime, images: ImageStore) throws -> [ContainerRecord] {
        guard !values.isEmpty else { return records }
        var out = records
        for (key, isBefore) in [("before", true), ("since", false)] {
            for ref in values[key, default: []] {
                let created = try runtime.container(ref).created
                out = out.filter { isBefore ? $0.created < created : $0.created > created }
            }
        }
        let ancestors = values["ancestor"].map { refs in Set(refs.compactMap { try? images.image($0).id.string }) }
        return out.filter { r in
            let host = try? runtime.hostConfig(r.id)
            let ports = Set((host?.portBindings ?? [:]).keys)
            let exposed = ports.union((r.config.exposedPorts ?? [:]).keys)
            let mounts = r.volumeMounts.flatMap { [$0.name, $0.destination] }
                + (host?.binds ?? []).compactMap { $0.split(separator: ":").dropFirst().first.map(String.init) }
            let network = host?.networkMode == "host" ? "host" : host?.networkMode == "none" ? "none" : "bridge"
            return match("name", r.displayName) && match("id", r.id.rawValue) && match("status", r.state.status.rawValue)
                && labels(r.config.labels)
                && any("exited") { Int32($0) == r.state.exitCode && !r.state.running && r.state.startedAt != zeroTime }
                && any("health") { $0 == "none" } && any("is-task") { $0 == "false" }
                && any("volume") { mounts.contains($0) } && any("network") { $0 == network }
                && any("publish") { ports.contains(Self.portKey($0)) } && any("expose") { exposed.contains(Self.portKey($0)) }
                && (ancestors.map { $0.contains(r.image) } ?? true)
        }
    }

    /// Go's `Match`: no values passes; else any value equal to `source` or found in it as a regex.
    private func match(_ key: String, _ source: String) -> Bool {
        any(key) { v in
            v == source
                || (try? NSRegularExpression(pattern: v)).map {
                    $0.firstMatch(in: source, range: NSRange(source.startIndex..., in: source)) != nil
                } ?? false
        }
    }

    private func any(_ key: String, _ test: (String) -> Bool) -> Bool {
        values[key].map { $0.contains(where: test) } ?? true
    }

    /// Go's `MatchKVList`: every `k` or `k=v` given must be among the labels.
    private func labels(_ labels: [String: String]) -> Bool {
        (values["label"] ?? []).allSatisfy { v in
            let parts = v.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let have = labels[parts.first ?? ""] else { return false }
            return parts.count < 2 || parts[1] == have
        }
    }

    /// `80` → `80/tcp`.
    private static func portKey(_ value: String) -> String { value.contains("/") ? value : value + "/tcp" }
}
