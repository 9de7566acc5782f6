#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// `debian:12` built offline from the host's own apt mirror:
/// `debootstrap --variant=minbase bookworm` once per host into a cache tar
/// (`/var/cache/berth/debian-12-minbase.tar`, or `$BERTH_SEED_CACHE`), made atomically under a
/// file lock; every state root then imports that one tar as one layer, so the DiffID and the
/// image ID are the same everywhere and a test never pays for debootstrap twice.
struct DebianSeed {
    static let package = "debootstrap"
    static let suite = "bookworm"

    var cacheDir: String {
        ProcessInfo.processInfo.environment["BERTH_SEED_CACHE"] ?? "/var/cache/berth"
    }
    var cacheTar: String { cacheDir + "/debian-12-minbase.tar" }

    /// The mirror apt uses for bookworm (deb822 `.sources` or a `sources.list` line).
    static func mirror() -> String {
        var texts: [String] = []
        let dir = "/etc/apt/sources.list.d"
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        where name.hasSuffix(".sources") || name.hasSuffix(".list") {
            if let t = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) { texts.append(t) }
        }
        if let t = try? String(contentsOfFile: "/etc/apt/sources.list", encoding: .utf8) { texts.append(t) }
        for text in texts {
            var uris: [String] = []
            for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if line.hasPrefix("URIs:") { uris = line.dropFirst(5).split(separator: " ").map(String.init) }
                if line.hasPrefix("Suites:"), line.split(separator: " ").contains("bookworm"), let u = uris.first { return u }
                let words = line.split(separator: " ").map(String.init)
                if words.first == "deb", let url = words.first(where: { $0.hasPrefix("http") }), words.contains("bookworm") {
                    return url
                }
            }
        }
        return "http://deb.debian.org/debian"
    }

    /// The cache tar, building it first when missing. Blocks (minutes) on a cold host.
    func ensureCache() throws(BerthError) -> String {
        if StoreFiles.exists(cacheTar) { return cacheTar }
        try StoreFiles.makeDirectories(cacheDir)
        let lock: FileLock
        do { lock = try FileLock(path: cacheDir + "/debian-12.lock") } catch {
            throw .internalError("cannot lock \(cacheDir)", detail: "\(error)")
        }
        defer { withExtendedLifetime(lock) {} }
        if StoreFiles.exists(cacheTar) { return cacheTar }
        guard access("/usr/sbin/debootstrap", X_OK) == 0 else {
            throw .seedSourceMissing("debian:12", path: "/usr/sbin/debootstrap", package: DebianSeed.package)
        }
        let work = cacheDir + "/build-\(getpid())"
        try? StoreFiles.removeTree(work)
        defer { try? StoreFiles.removeTree(work) }
        let mirror = DebianSeed.mirror()
        guard HostCommand.status("/usr/sbin/debootstrap", ["--variant=minbase", DebianSeed.suite, work, mirror]) == 0 else {
            throw .internalError("cannot build the debian:12 seed image: debootstrap --variant=minbase bookworm \(work) \(mirror) failed")
        }
        // As Docker's debian images: no package cache, no apt lists, an empty /dev.
        for dir in ["var/cache/apt/archives", "var/lib/apt/lists", "dev", "var/log", "tmp", "run"] {
            let path = work + "/" + dir
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name != "partial" && name != "lock" {
                try? StoreFiles.removeTree(path + "/" + name)
            }
        }
        unlink(work + "/var/cache/apt/pkgcache.bin")
        unlink(work + "/var/cache/apt/srcpkgcache.bin")
        let tmp = cacheTar + ".tmp-\(getpid())"
        _ = try LayerArchiver().archive(directory: work, toFile: tmp)
        try StoreFiles.rename(tmp, cacheTar)
        return cacheTar
    }

    func config(diffID: Digest, created: String, mirror: String) -> ImageConfig {
        ImageConfig(
            architecture: HostArchitecture.current, os: "linux", created: created,
            config: ContainerConfig(env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], cmd: ["bash"]),
            rootfs: RootFS(diffIDs: [diffID]),
            history: [
                HistoryEntry(created: created, createdBy: "berth seed: debootstrap --variant=minbase bookworm \(mirror)"),
                HistoryEntry(created: created, createdBy: "CMD [\"bash\"]", emptyLayer: true),
            ])
    }
}

extension ImageStore {
    /// Imports the cached debootstrap tar (building it when missing) and tags it `debian:12`
    /// and `debian:bookworm`. `created` is the cache's mtime, so every root gets the same ID.
    func ensureDebianSeed() throws(BerthError) -> Image {
        let seed = DebianSeed()
        let tar = try seed.ensureCache()
        let fd = open(tar, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .internalError("cannot open \(tar)", detail: errnoText()) }
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let applied = try applyLayer(file: fd, parent: nil)
        let config = seed.config(
            diffID: applied.layer.diffID, created: RFC3339.format(seconds: Int(st.st_mtim.tv_sec)), mirror: DebianSeed.mirror())
        return try registerImage(config: config, tags: SeedImage.debian12.references)
    }
}
