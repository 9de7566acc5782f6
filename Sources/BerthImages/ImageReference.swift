import BerthCore

/// An image name as Docker reads it: `[registry[:port]/][repo/]name[:tag][@sha256:…]`.
///
/// Follows distribution/reference's `ParseNormalizedNamed` + `TagNameOnly`: a name without
/// a registry is on Docker Hub (`busybox` → `docker.io/library/busybox`), and a reference
/// with neither tag nor digest gets the tag `latest`.
package struct ImageReference: Hashable, Sendable, CustomStringConvertible {
    /// `docker.io`, `localhost:5000`, … (empty only for odd names such as `a_b.c/x`).
    package let domain: String
    /// `library/busybox`.
    package let path: String
    /// `latest` when the reference named neither a tag nor a digest.
    package let tag: String?
    package let digest: Digest?

    package static let defaultDomain = "docker.io"
    package static let defaultTag = "latest"
    static let officialPrefix = "library/"
    static let maxNameLength = 255

    /// Parses what a user typed. Throws `BerthError` in Docker's words:
    /// `invalid reference format`, `… repository name (library/UPPER) must be lowercase`, ….
    package init(parsing text: String) throws(BerthError) {
        if Digest.isHex64(text) { throw .hexRepositoryName(text) }
        let (domain, remainder) = ImageReference.splitDockerDomain(text)
        let remote = remainder.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if remote.lowercased() != remote {
            throw .invalidReference("repository name (\(remote)) must be lowercase")
        }
        let full = domain + "/" + remainder
        guard let parts = ReferenceGrammar.match(full) else {
            let lower = full.lowercased()
            if lower != full, ReferenceGrammar.match(lower) != nil {
                throw .invalidReference("repository name must be lowercase")
            }
            throw .invalidReferenceFormat
        }
        if parts.path.utf8.count > ImageReference.maxNameLength { throw .repositoryNameTooLong }
        self.domain = parts.domain
        self.path = parts.path
        self.digest = try parts.digest.map { (d: String) throws(BerthError) in try Digest(parsing: d) }
        self.tag = parts.tag ?? (parts.digest == nil ? ImageReference.defaultTag : nil)
    }

    init(domain: String, path: String, tag: String?, digest: Digest?) {
        self.domain = domain
        self.path = path
        self.tag = tag
        self.digest = digest
    }

    /// `docker.io/library/busybox`.
    package var name: String { domain.isEmpty ? path : domain + "/" + path }

    /// `busybox`, `someone/app`, `localhost:5000/web`: the name `docker images` shows.
    package var familiarName: String {
        guard domain == ImageReference.defaultDomain else { return name }
        if path.hasPrefix(ImageReference.officialPrefix) {
            let rest = path.dropFirst(ImageReference.officialPrefix.count)
            if !rest.contains("/") { return String(rest) }
        }
        return path
    }

    /// `docker.io/library/busybox:latest`.
    package var canonical: String { name + suffix }
    /// `busybox:latest`: the form Docker prints and keeps in `repositories.json`.
    package var familiar: String { familiarName + suffix }
    package var description: String { canonical }

    /// The same repository with another tag (and no digest).
    package func withTag(_ tag: String) -> ImageReference {
        ImageReference(domain: domain, path: path, tag: tag, digest: nil)
    }

    private var suffix: String {
        (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0.string } ?? "")
    }

    /// distribution/reference's `splitDockerDomain`: the part before the first `/` is a
    /// registry when it is `localhost`, has a `.` or `:`, or has uppercase letters.
    static func splitDockerDomain(_ name: String) -> (domain: String, remainder: String) {
        guard let slash = name.firstIndex(of: "/") else {
            return (defaultDomain, officialPrefix + name)
        }
        let first = String(name[..<slash])
        let rest = String(name[name.index(after: slash)...])
        var domain: String
        var remainder: String
        if first == "localhost" || first.contains(".") || first.contains(":") || first.lowercased() != first {
            (domain, remainder) = (first, rest)
        } else {
            (domain, remainder) = (defaultDomain, name)
        }
        if first == "index.docker.io" { domain = defaultDomain }
        if domain == defaultDomain && !remainder.contains("/") { remainder = officialPrefix + remainder }
        return (domain, remainder)
    }
}
