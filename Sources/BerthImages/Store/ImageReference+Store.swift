extension ImageReference {
    /// The key `repositories.json` keeps this reference under: `busybox:latest`, or
    /// `busybox@sha256:…` for a digest (Docker drops the tag when both are given).
    var storeKey: String {
        if let digest { return familiarName + "@" + digest.string }
        return familiar
    }
}
