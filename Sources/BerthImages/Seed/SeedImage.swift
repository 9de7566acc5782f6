/// The images berth builds offline, from what the host has, instead of pulling them.
/// Each says where it comes from in its history (`docker history`), so a lesson can be
/// honest that it is a local stand-in.
package enum SeedImage: String, CaseIterable, Sendable {
    /// `busybox:latest` from the host's `busybox-static`.
    case busybox
    /// `debian:12` (also `debian:bookworm`): `debootstrap --variant=minbase bookworm` from the
    /// host's apt mirror, built once into a host cache and imported as one layer.
    case debian12

    /// The name the image is tagged with, familiar form.
    package var reference: String {
        switch self {
        case .busybox: "busybox:latest"
        case .debian12: "debian:12"
        }
    }

    /// Every name the seed is tagged with.
    package var references: [String] {
        switch self {
        case .busybox: ["busybox:latest"]
        case .debian12: ["debian:12", "debian:bookworm"]
        }
    }

    /// The seed a user's reference names, or nil: `busybox`, `busybox:latest` and
    /// `docker.io/library/busybox:latest` all name `.busybox`; `busybox:1.36` does not.
    package init?(reference: String) {
        guard let parsed = try? ImageReference(parsing: reference), parsed.digest == nil else { return nil }
        guard let seed = SeedImage.allCases.first(where: { seed in
            seed.references.contains { (try? ImageReference(parsing: $0))?.canonical == parsed.canonical }
        }) else { return nil }
        self = seed
    }
}
