#if canImport(Glibc)
import Glibc
#endif
import BerthCore

extension ImageStore {
    /// Creates the writable layer of a new container on top of `image`, as Docker's overlay2
    /// does: an `<mount-id>-init` layer with the mountpoint stubs, the container layer
    /// `<mount-id>/{diff,work,merged,link,lower}`, then `layerdb/mounts/<container-id>` last,
    /// so a crash never leaves a record that points at half a layer. Returns the existing
    /// layer when the container has one. Does not take the state lock (`Runtime.create`
    /// calls it under the lock); container IDs are unique, so nothing else writes these paths.
    package func prepareContainerLayer(containerID: String, image: Image) throws(BerthError) -> ContainerLayer {
        try ImageStore.checkContainerID(containerID)
        if StoreFiles.exists(paths.layerMount(containerID)) { return try containerLayer(containerID: containerID) }
        try StoreFiles.makeDirectories(paths.overlayLinks)
        try StoreFiles.makeDirectories(paths.layerMounts)

        let mountID = RandomID.hex()
        let initID = mountID + "-init"
        let imageLower = try image.layers.last.map { (top: Layer) throws(BerthError) in try lowerChain(above: top) }
        var done: [String] = []  // what to undo if a later step fails
        do {
            // The init layer: Docker's initlayer.Setup stubs, so the runtime's bind mounts
            // have targets and `docker diff` does not report them as the container's changes.
            let initLink = try addLayerDirectory(initID, lower: imageLower, done: &done) { (diff: String) throws(BerthError) in
                try InitLayer.populate(diff)
            }
            let lower = "l/" + initLink + (imageLower.map { ":" + $0 } ?? "")
            _ = try addLayerDirectory(mountID, lower: lower, merged: true, done: &done) { (_: String) throws(BerthError) in }

            let meta = try StoreFiles.stagingDirectory(paths, "mount")
            defer { try? StoreFiles.removeTree(meta) }
            try StoreFiles.writeText(mountID, to: meta + "/mount-id")
            try StoreFiles.writeText(initID, to: meta + "/init-id")
            if let parent = image.topChainID { try StoreFiles.writeText(parent.string, to: meta + "/parent") }
            chmod(meta, 0o755)
            try StoreFiles.rename(meta, paths.layerMount(containerID))
        } catch {
            for dir in done.reversed() { try? removeLayerDirectory(dir) }
            throw error
        }
        return try containerLayer(containerID: containerID)
    }

    /// The container's layer as `prepareContainerLayer` made it. Throws when there is none.
    package func containerLayer(containerID: String) throws(BerthError) -> ContainerLayer {
        try ImageStore.checkContainerID(containerID)
        let meta = paths.layerMount(containerID)
        guard let mountID = try StoreFiles.readText(meta + "/mount-id")?.trimmed else {
            throw .internalError("container \(containerID) has no layer", detail: meta)
        }
        guard Digest.isHex64(mountID) else { throw .imageStoreCorrupt(meta + "/mount-id", "not a cache ID") }
        let parent = try StoreFiles.readText(meta + "/parent").map { (t: String) throws(BerthError) in
            try Digest(stored: t, at: meta + "/parent")
        }
        let cacheDir = paths.overlayLayer(mountID)
        guard let lower = try StoreFiles.readText(cacheDir + "/lower")?.trimmed, !lower.isEmpty else {
            throw .imageStoreCorrupt(cacheDir + "/lower", "missing")
        }
        let links = lower.split(separator: ":").map { String($0.dropFirst(2)) }
        guard lower.split(separator: ":").allSatisfy({ $0.hasPrefix("l/") }), links.allSatisfy(RandomID.isLink) else {
            throw .imageStoreCorrupt(cacheDir + "/lower", "not a list of l/<link>")
        }
        let lowerDirs = try links.map { (link: String) throws(BerthError) -> String in
            try diffDir(ofLink: link)
        }
        return ContainerLayer(
            containerID: containerID, mountID: mountID, cacheDir: cacheDir, upperDir: cacheDir + "/diff",
            workDir: cacheDir + "/work", mergedDir: cacheDir + "/merged", lowerDirs: lowerDirs, parent: parent,
            overlayCwd: paths.overlay,
            overlayData: "lowerdir=\(lower),upperdir=\(mountID)/diff,workdir=\(mountID)/work")
    }

    /// Deletes the container's layers and its `layerdb/mounts` record. Idempotent: a missing
    /// or half-removed layer is fine. Detaches a mount left on `merged` first, and refuses to
    /// delete anything if that mount cannot be removed. Does not take the state lock.
    package func removeContainerLayer(containerID: String) throws(BerthError) {
        try ImageStore.checkContainerID(containerID)
        let meta = paths.layerMount(containerID)
        guard StoreFiles.exists(meta) else { return }
        if let mountID = try StoreFiles.readText(meta + "/mount-id")?.trimmed {
            guard Digest.isHex64(mountID) else { throw .imageStoreCorrupt(meta + "/mount-id", "not a cache ID") }
            try removeLayerDirectory(mountID)
            try removeLayerDirectory(mountID + "-init")
        }
        try StoreFiles.removeTree(meta)
    }

    /// `overlay2/<cache-id>` with `diff/`, `link`, `lower`, `work/` (and `merged/`), built in
    /// `tmp/` and renamed into place, plus its `l/` link. Returns the link name.
    private func addLayerDirectory(
        _ cacheID: String, lower: String?, merged: Bool = false, done: inout [String],
        populate: (String) throws(BerthError) -> Void
    ) throws(BerthError) -> String {
        let staged = try StoreFiles.stagingDirectory(paths, "container")
        defer { try? StoreFiles.removeTree(staged) }
        try StoreFiles.makeDirectory(staged + "/diff")
        try populate(staged + "/diff")
        try StoreFiles.makeDirectory(staged + "/work", mode: 0o700)
        if merged { try StoreFiles.makeDirectory(staged + "/merged") }
        let link = RandomID.link()
        try StoreFiles.writeText(link, to: staged + "/link")
        if let lower { try StoreFiles.writeText(lower, to: staged + "/lower") }
        chmod(staged, 0o710)
        try StoreFiles.rename(staged, paths.overlayLayer(cacheID))
        done.append(cacheID)
        try makeLink(link, cacheID: cacheID)
        return link
    }

    /// Removes `overlay2/<cache-id>` and its link; nothing when it is already gone.
    private func removeLayerDirectory(_ cacheID: String) throws(BerthError) {
        let dir = paths.overlayLayer(cacheID)
        guard StoreFiles.exists(dir) else { return }
        let merged = dir + "/merged"
        if StoreFiles.exists(merged) {
            // A mount left behind (a killed monitor): detach it, then rmdir, which fails on a
            // busy mountpoint, so the recursive delete below can never reach into the image.
            _ = umount2(merged, Int32(MNT_DETACH))
            if rmdir(merged) != 0 && errno != ENOENT {
                throw .internalError("cannot remove the container layer: \(merged) is busy", detail: errnoText())
            }
        }
        if let link = try StoreFiles.readText(dir + "/link")?.trimmed, RandomID.isLink(link) {
            unlink(paths.overlayLink(link))
        }
        try StoreFiles.removeTree(dir)
    }

    /// `overlay2/l/<link>` → the absolute `overlay2/<cache-id>/diff` it points at.
    func diffDir(ofLink link: String) throws(BerthError) -> String {
        let path = paths.overlayLink(link)
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink(path, &buf, buf.count - 1)
        guard n > 0 else { throw .imageStoreCorrupt(path, n < 0 ? errnoText() : "empty link") }
        let target = String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard target.hasPrefix("../"), target.hasSuffix("/diff"), isCacheID(String(target.dropFirst(3).dropLast(5))) else {
            throw .imageStoreCorrupt(path, "points at \(target)")
        }
        return paths.overlay + "/" + target.dropFirst(3)
    }

    /// Container IDs name directories: only a plain name (no `/`, not `.`/`..`) is accepted.
    static func checkContainerID(_ id: String) throws(BerthError) {
        guard !id.isEmpty, id != ".", id != "..", !id.contains("/"), !id.contains("\0") else {
            throw .internalError("invalid container ID \(id)")
        }
    }
}
