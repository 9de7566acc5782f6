/// The image store's user-visible sentences, worded as Docker (and its reference parser) words them.
extension BerthError {
    /// `docker run a::b`: the reference matches no part of the grammar.
    public static var invalidReferenceFormat: Self {
        .init(message: "invalid reference format", exitCode: 125)
    }

    /// distribution/reference's `ErrNameTooLong`.
    public static var repositoryNameTooLong: Self {
        .init(message: "invalid reference format: repository name must not be more than 255 characters", exitCode: 125)
    }

    /// distribution/reference refuses a 64-hex name, since it would read as an image ID.
    public static func hexRepositoryName(_ name: String) -> Self {
        .init(message: "invalid repository name (\(name)), cannot specify 64-byte hexadecimal strings", exitCode: 125)
    }

    /// go-digest's words for a digest that is not `sha256:` and 64 lowercase hex digits:
    /// "invalid checksum digest format", "invalid checksum digest length", "unsupported digest algorithm".
    public static func invalidDigest(_ reason: String) -> Self {
        .init(message: reason, exitCode: 125)
    }

    /// A unique-prefix lookup that matched more than one image ID (Docker's containerd image store).
    public static func ambiguousImage(_ ref: String) -> Self {
        .init(message: "Error response from daemon: ambiguous reference", exitCode: 1, detail: "prefix \(ref)")
    }

    /// `docker tag busybox web@sha256:…`.
    public static var tagWithDigest: Self {
        .daemon("refusing to create a tag with a digest reference", exitCode: 1)
    }

    /// The seed image cannot be built because the host lacks the program it is built from.
    public static func seedSourceMissing(_ image: String, path: String, package: String) -> Self {
        .internalError(
            "cannot build the \(image) seed image: \(path) is missing or not statically linked; "
                + "install it with `apt-get install \(package)`")
    }

    /// A file of the image store that is missing or unreadable: the store was edited or half-written.
    public static func imageStoreCorrupt(_ path: String, _ why: String) -> Self {
        .internalError("image store is damaged at \(path): \(why)")
    }
}
