import Testing

extension Tag {
    /// Needs root: namespaces, mounts, veth.
    @Tag public static var root: Self
}

/// Root-only tests are skipped, loudly, elsewhere.
public let isRoot = getuid() == 0

#if canImport(Glibc)
import Glibc
#endif
