#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import BerthImages
import CBerth
import Crypto
import Foundation

extension BuildRun {
    /// COPY and ADD: sources from the staged context (wildcards, directories copied by their
    /// contents, ADD unpacking a local tar), written through the image's own root so its
    /// symlinks resolve as in a container, committed as one layer. The cache key is
    /// Docker's: `COPY file:<sha256> in /dst ` with the hash over the files' contents and metadata.
    mutating func copyStep(_ i: Instruction) throws {
        let keyword = i.keyword
        if i.flag("from") != nil { throw BerthError.buildInstructionUnsupported("\(keyword) --from") }
        if i.flag("chmod") != nil { throw BerthError.buildInstructionUnsupported("\(keyword) --chmod") }
        let env = state.substitution
        let words = try (i.json ?? lex.splitWords(i.arguments)).map { (w: String) throws(BerthError) -> String in
            try lex.processWord(w, env: env)
        }
        guard words.count >= 2 else { throw BerthError(message: "\(keyword) requires at least two arguments", exitCode: 1) }
        let chown = try i.flag("chown").map { (w: String) throws(BerthError) -> String in try lex.processWord(w, env: env) }
        var dest = words.last!
        let sources = words.dropLast()
        if keyword == "ADD", let url = sources.first(where: { $0.hasPrefix("http://") || $0.hasPrefix("https://") }) {
            throw BerthError.addFromURL(url)
        }
        var resolved: [String] = []
        for s in sources { resolved += try context.resolve(s, instruction: keyword) }
        let destIsDir = dest.hasSuffix("/") || dest.hasSuffix("/.") || dest == "."
        if resolved.count > 1 && !destIsDir { throw BerthError.copyNeedsDirectory(keyword) }
        if !dest.hasPrefix("/") {
            let wd = state.config.workingDir ?? "/"
            dest = (wd.hasSuffix("/") ? wd : wd + "/") + dest
        }

        let hashes = resolved.map { rel -> String in
            var st = stat()
            _ = stat(context.root + "/" + rel, &st)
            return (st.st_mode & S_IFMT == S_IFDIR ? "dir:" : "file:") + context.hash(rel)
        }
        let srcHash = hashes.count == 1
            ? hashes[0]
            : "multi:" + SHA256.hash(data: Data(hashes.joined(separator: ",").utf8)).map { String(format: "%02x", $0) }.joined()
        // Docker's own spelling: no blank between the --chown part and the hash.
        let comment = "\(keyword) \(chown.map { "--chown=\($0)" } ?? "")\(srcHash) in \(dest) "
        var probe = state.config
        probe.cmd = state.shell + ["#(nop) " + comment]
        if let hit = cached(probe) {
            state.image = hit
            return
        }

        let images = builder.images
        let base = state.image
        let work = try images.stagingDirectory("copy")
        defer { images.removeStaging(work) }
        var mountID: String?
        defer { if let mountID { try? images.removeContainerLayer(containerID: mountID) } }
        // A container layer that never runs: its overlay (mounted nowhere) shows the image,
        // its upper dir collects the copy. FROM scratch copies into a plain directory.
        var layer: ContainerLayer?
        if let base {
            let id = RandomBuildID.hex()
            mountID = id
            layer = try images.prepareContainerLayer(containerID: id, image: base)
        }
        let changes = layer?.upperDir ?? work + "/rootfs"
        if layer == nil { try ensureDirectory(changes) }
        // The copy is closed (and the overlay unmounted) before the upper dir is committed.
        try withRoot(layer, orDirectory: changes) { rootFD in
            var writer = RootWriter(root: rootFD, owner: nil)
            if let chown { writer.owner = try writer.resolveOwner(chown, instruction: keyword) }

            for rel in resolved {
                let host = context.root + "/" + rel
                var st = stat()
                guard lstat(host, &st) == 0 else { throw BerthError.buildSourceMissing(keyword, rel) }
                let name = (rel as NSString).lastPathComponent
                if st.st_mode & S_IFMT == S_IFDIR {
                    let dir = try writer.openDirectory(dest, create: true)
                    defer { close(dir) }
                    for child in try FileManager.default.contentsOfDirectory(atPath: host).sorted() {
                        try writer.copy(host + "/" + child, to: dir, name: child)
                    }
                } else if keyword == "ADD", st.st_mode & S_IFMT == S_IFREG, let unpacked = try unpack(host, into: work) {
                    let dir = try writer.openDirectory(dest, create: true)
                    defer { close(dir) }
                    for child in try FileManager.default.contentsOfDirectory(atPath: unpacked).sorted() {
                        try writer.copy(unpacked + "/" + child, to: dir, name: child)
                    }
                } else if destIsDir || writer.isDirectory(dest) {
                    let dir = try writer.openDirectory(dest, create: true)
                    defer { close(dir) }
                    try writer.copy(host, to: dir, name: name)
                } else {
                    let parent = (dest as NSString).deletingLastPathComponent
                    let dir = try writer.openDirectory(parent.isEmpty ? "/" : parent, create: true)
                    defer { close(dir) }
                    try writer.copy(host, to: dir, name: (dest as NSString).lastPathComponent)
                }
            }
        }
        if let s = signals.pending() { throw BerthError.buildCanceled(signal: s) }
        let committed = try images.commitBuildStep(
            base: base, changes: changes, config: state.config, containerConfig: probe, containerID: nil,
            createdBy: probe.cmd!.joined(separator: " "), author: state.author)
        state.image = committed
        builder.say(" ---> \(committed.id.short)")
    }
}

extension BuildRun {
    /// `body` with the root to copy into: the layer's overlay, or the plain directory.
    func withRoot(_ layer: ContainerLayer?, orDirectory dir: String, _ body: (Int32) throws -> Void) throws {
        if let layer { return try layer.withDetachedRoot(body) }
        let fd = open(dir, berth_o_path() | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw BerthError.internalError("cannot open the build root") }
        defer { close(fd) }
        try body(fd)
    }

    /// A local tar (plain or compressed) unpacked with its owners into a fresh directory;
    /// nil when the file is no archive tar can read, which ADD then copies as it is (Docker's rule).
    func unpack(_ file: String, into work: String) throws -> String? {
        guard Archive.isArchive(file) else { return nil }
        let unpacked = work + "/unpacked-\(RandomBuildID.hex().prefix(8))"
        try ensureDirectory(unpacked)
        let r = try Subprocess.run("/usr/bin/tar", ["-x", "--same-owner", "--same-permissions", "-f", file, "-C", unpacked])
        if r.status != 0 {
            try? FileManager.default.removeItem(atPath: unpacked)
            return nil
        }
        return unpacked
    }
}
