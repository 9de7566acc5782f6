/// `image/overlay2/repositories.json`, Docker's shape:
/// `{"Repositories":{"busybox":{"busybox:latest":"sha256:<id>"}}}`, keyed by familiar names.
struct RepositoriesFile: Codable, Equatable, Sendable {
    var repositories: [String: [String: String]]

    init(repositories: [String: [String: String]] = [:]) {
        self.repositories = repositories
    }

    enum CodingKeys: String, CodingKey {
        case repositories = "Repositories"
    }
}

extension RepositoriesFile {
    /// Points `reference` at `id`: `{"busybox": {"busybox:latest": "sha256:…"}}`.
    mutating func set(_ reference: ImageReference, to id: Digest) {
        repositories[reference.familiarName, default: [:]][reference.storeKey] = id.string
    }
}
