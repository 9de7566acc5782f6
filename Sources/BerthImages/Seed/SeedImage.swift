/// The images berth builds offline, from what the host has, instead of pulling them.
/// Each says where it comes from in its history (`docker history`), so a lesson can be
/// honest that it is a local stand-in.
package enum SeedImage: String, CaseIterable, Sendable {
    /// `busybox:latest` from the host's `busybox-static`.
    case busybox
    // `.debian12` (debootstrap bookworm minbase) is a later addition: a new case here, its
    // reference below, and a builder in `ImageStore+Seed.swift`.

    /// The name the image is tagged with, familiar form.
    package var reference: String {
        switch self {
        case .busybox: "busybox:latest"
        }
    }

    /// The seed a user's reference names, or nil: `busybox`, `busybox:latest` and
    /// `docker.io/library/busybox:latest` all name `.busybox`; `busybox:1.36` does not.
    package init?(reference: String) {
        guard let parsed = try? ImageReference(parsing: reference), parsed.digest == nil else { return nil }
        guard let seed = SeedImage.allCases.first(where: { seed in
            (try? ImageReference(parsing: seed.reference))?.canonical == parsed.canonical
        }) else { return nil }
        self = seed
    }
}
