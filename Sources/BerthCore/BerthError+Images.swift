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

/// Archives (`load`, `import`, pulled layers) and what goes wrong with them, in the words
/// of Docker's `pkg/archive` ("Error processing tar file(exit status 1): …").
extension BerthError {
    public static func archiveInvalid(_ reason: String) -> Self {
        .daemon("Error processing tar file(exit status 1): \(reason)")
    }

    /// An entry whose `..` climbs above the layer (Docker's `breakoutError`).
    public static func layerBreakout(_ name: String) -> Self {
        archiveInvalid("\"\(name)\" is outside of \"/\"")
    }

    /// A hard link to something that is not an earlier entry of the same layer.
    public static func invalidHardlink(_ name: String, _ target: String) -> Self {
        archiveInvalid("invalid hardlink \"\(name)\" -> \"\(target)\"")
    }

    /// An entry that would be written through a symlink (or under a file) of the layer.
    public static func pathThroughSymlink(_ name: String, _ prefix: String, isLink: Bool) -> Self {
        archiveInvalid(
            isLink
                ? "\"\(name)\" is under the symlink \"\(prefix)\": refusing to write through a symlink"
                : "\"\(name)\": \"\(prefix)\" is not a directory")
    }

    /// Overlay whiteouts are character devices and trusted xattrs: root only.
    public static func whiteoutNeedsRoot(_ name: String) -> Self {
        archiveInvalid("cannot apply the whiteout \"\(name)\": overlay whiteouts need root")
    }

    /// A layer whose uncompressed sha256 is not the DiffID the image config names.
    public static func diffIDMismatch(expected: String, got: String) -> Self {
        .daemon("failed to register layer: layer verification failed: digest mismatch: expected \(expected), got \(got)")
    }

    /// A blob whose sha256 is not the digest it was fetched or listed by.
    public static func blobDigestMismatch(_ digest: String, got: String) -> Self {
        .daemon("filesystem layer verification failed for digest \(digest): digest mismatch (got \(got))")
    }
}

/// `docker rmi` conflicts, in the daemon's words.
extension BerthError {
    public static func imageReferenceInUse(_ ref: String, container: String, image: String) -> Self {
        .daemon("conflict: unable to remove repository reference \"\(ref)\" (must force) - container \(container) is using its referenced image \(image)", exitCode: 1)
    }

    public static func imageInUse(_ image: String, container: String) -> Self {
        .daemon("conflict: unable to delete \(image) (must be forced) - image is being used by stopped container \(container)", exitCode: 1)
    }

    public static func imageInUseByRunning(_ image: String, container: String) -> Self {
        .daemon("conflict: unable to delete \(image) (cannot be forced) - image is being used by running container \(container)", exitCode: 1)
    }

    public static func imageInManyRepositories(_ image: String) -> Self {
        .daemon("conflict: unable to delete \(image) (must be forced) - image is referenced in multiple repositories", exitCode: 1)
    }
}
