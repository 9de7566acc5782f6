/// Registry (pull, login) failures, in the words of moby's `distribution/errors.go` and the
/// Go HTTP client it wraps (`Get "http://…/v2/": dial tcp …: connect: connection refused`).
/// `docker pull` and `docker login` exit 1 for all of them; `docker run` turns them into 125.
extension BerthError {
    /// A request that never got an answer: refused, unreachable, timed out, DNS.
    public static func registryUnreachable(method: String, url: String, _ cause: String) -> Self {
        .daemon("\(method) \"\(url)\": \(cause)")
    }

    /// An error the registry answered with, as Go's `errcode.Error` prints it: `code words: message`.
    public static func registryError(method: String, url: String, _ text: String) -> Self {
        .daemon("\(method) \"\(url)\": \(text)")
    }

    /// `MANIFEST_UNKNOWN`: the repository exists, the tag or digest does not.
    public static func manifestNotFound(_ familiar: String, _ cause: String) -> Self {
        .daemon("manifest for \(familiar) not found: \(cause)")
    }

    /// `NAME_UNKNOWN`: the registry has no such repository.
    public static func repositoryNotFound(_ familiarName: String, _ cause: String) -> Self {
        .daemon("repository \(familiarName) not found: \(cause)")
    }

    /// `DENIED`, or Docker Hub's 401 for a repository that does not exist.
    public static func pullAccessDenied(_ familiarName: String, _ cause: String) -> Self {
        .daemon("pull access denied for \(familiarName), repository does not exist or may require 'docker login': \(cause)")
    }

    /// A registry that asks for Basic credentials when none are stored.
    public static func noBasicAuthCredentials(method: String, url: String) -> Self {
        .daemon("\(method) \"\(url)\": no basic auth credentials")
    }

    /// A blob whose bytes do not hash to the digest it was fetched by. Nothing of it is kept.
    public static func registryDigestMismatch(_ digest: String, got: String) -> Self {
        .daemon("digest mismatch: expected \(digest), got \(got) (filesystem layer verification failed)")
    }

    /// A manifest list or OCI index with no entry for the wanted platform.
    public static func noMatchingManifest(_ platform: String) -> Self {
        .daemon("no matching manifest for \(platform) in the manifest list entries")
    }

    /// A manifest media type berth does not read (schema1, Helm charts, …).
    public static func unsupportedManifest(_ mediaType: String) -> Self {
        .daemon("unsupported manifest media type: \(mediaType)")
    }

    /// `/etc/berth/config.json` or `auth.json` that does not parse.
    public static func badClientConfig(_ path: String, _ why: String) -> Self {
        .init(message: "invalid configuration file \(path): \(why)", exitCode: 1)
    }
}
