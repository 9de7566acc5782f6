import BerthCore
import Foundation
import Testing

@testable import BerthImages

@Suite(.enabled(if: hasBusyboxStatic, "needs busybox-static (apt-get install busybox-static)"))
struct ResolutionTests {
    @Test("names, tags, IDs and prefixes resolve as in Docker")
    func resolves() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let store = root.store
        let image = try store.ensureSeed(.busybox)
        let id = image.id
        for ref in [
            "busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox:latest", "docker.io/busybox",
            id.hex, id.string, String(id.hex.prefix(12)), "sha256:" + id.hex.prefix(5), String(id.hex.prefix(1)),
        ] {
            #expect(try store.image(ref).id == id, "\(ref)")
        }
        #expect(throws: BerthError.noSuchImage("busybox:1.36")) { try store.image("busybox:1.36") }
        #expect(throws: BerthError.noSuchImage("nosuch:latest")) { try store.image("nosuch") }
        #expect(throws: BerthError.noSuchImage("someone/busybox:latest")) { try store.image("docker.io/someone/busybox") }
        let other = String(repeating: id.hex.hasPrefix("f") ? "e" : "f", count: 64)
        #expect(throws: BerthError.noSuchImage("sha256:" + other)) { try store.image(other) }
        #expect(throws: BerthError.noSuchImage("sha256:" + other.prefix(6))) { try store.image("sha256:" + other.prefix(6)) }
        #expect(throws: BerthError.invalidReference("repository name (library/UPPER) must be lowercase")) {
            try store.image("UPPER")
        }
    }

    @Test("tag adds a name; registerImage adds an image; a shared prefix is ambiguous")
    func tagsAndPrefixes() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let store = root.store
        let seed = try store.ensureSeed(.busybox)

        try store.tag("busybox", "myrepo/box:v1")
        try store.tag(seed.id.short, "localhost:5000/box")
        #expect(try store.image("myrepo/box:v1").id == seed.id)
        #expect(try store.image("localhost:5000/box:latest").repoTags == ["busybox:latest", "localhost:5000/box:latest", "myrepo/box:v1"])
        #expect(throws: BerthError.tagWithDigest) { try store.tag("busybox", "x@sha256:" + seed.id.hex) }
        #expect(throws: BerthError.noSuchImage("nosuch:latest")) { try store.tag("nosuch", "y") }

        // A second image over the same layer whose ID shares its first hex digit with the seed's.
        var config = seed.config
        var n = 0
        var data: Data
        repeat {
            n += 1
            config.config?.labels = ["try": String(n)]
            data = try config.encoded()
        } while Digest.sha256(of: data).hex.first != seed.id.hex.first || Digest.sha256(of: data) == seed.id
        let second = try store.registerImage(configJSON: data, tags: ["second"])
        #expect(second.id == Digest.sha256(of: data))
        #expect(second.layers == seed.layers)
        #expect(second.repoTags == ["second:latest"])
        #expect(try store.image("second").id == second.id)

        let shared = String(seed.id.hex.prefix(1))
        #expect(throws: BerthError.ambiguousImage(shared)) { try store.image(shared) }
        #expect(throws: BerthError.ambiguousImage(shared)) { try store.image("sha256:" + shared) }
        var unique = 1
        while second.id.hex.prefix(unique) == seed.id.hex.prefix(unique) { unique += 1 }
        #expect(try store.image(String(second.id.hex.prefix(unique))).id == second.id)
        #expect(try store.image(String(seed.id.hex.prefix(unique))).id == seed.id)

        // Moving a tag leaves the old image untagged (dangling), as docker tag does.
        try store.tag("second", "busybox")
        #expect(try store.image("busybox").id == second.id)
        #expect(try store.image(seed.id.string).repoTags == ["localhost:5000/box:latest", "myrepo/box:v1"])
        #expect(Set(store.images().map(\.id)) == [seed.id, second.id])

        // The same config registered again is the same image, not a new one.
        #expect(try store.registerImage(configJSON: data).id == second.id)
        #expect(store.images().count == 2)
    }

    @Test("registerImage refuses a config whose layers are not in the store")
    func missingLayers() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let config = ImageConfig(architecture: "amd64", rootfs: RootFS(diffIDs: [Digest.sha256(of: "nothing")]))
        #expect(throws: BerthError.self) { try root.store.registerImage(config: config, tags: ["x"]) }
        #expect(root.store.images().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.paths.repositories))
    }

    @Test("createLayer stacks layers: ChainIDs, parent files and lower chains")
    func layerStack() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let store = root.store
        let bottom = try store.createLayer(parent: nil) { dir in
            try writeFixed(dir + "/one", "one")
        }
        let middle = try store.createLayer(parent: bottom.chainID) { dir in
            try writeFixed(dir + "/two", "two")
        }
        let top = try store.createLayer(parent: middle.chainID) { dir in
            try writeFixed(dir + "/three", "three")
        }
        #expect(bottom.chainID == bottom.diffID)
        #expect(middle.chainID == Digest.sha256(of: bottom.chainID.string + " " + middle.diffID.string))
        #expect(top.chainID == Digest.chainIDs([bottom.diffID, middle.diffID, top.diffID])[2])
        #expect(readText(root.paths.layerDB + "/" + top.chainID.hex + "/parent") == middle.chainID.string)
        #expect(readText(root.paths.overlay + "/" + top.cacheID + "/lower") == "l/\(middle.link):l/\(bottom.link)")
        #expect(readText(root.paths.overlay + "/" + middle.cacheID + "/lower") == "l/\(bottom.link)")
        #expect(FileManager.default.fileExists(atPath: root.paths.overlay + "/" + top.cacheID + "/work"))

        // The same content on the same parent is the same layer.
        let again = try store.createLayer(parent: nil) { dir in
            try writeFixed(dir + "/one", "one")
        }
        #expect(again == bottom)

        let image = try store.registerImage(
            config: ImageConfig(architecture: "amd64", rootfs: RootFS(diffIDs: [bottom.diffID, middle.diffID, top.diffID])),
            tags: ["stack:1"])
        #expect(image.layers == [bottom, middle, top])
        #expect(store.layerDiffDirs(for: image) == [top.diffDir, middle.diffDir, bottom.diffDir])
        #expect(store.lookupFile("/one", image: image) == bottom.diffDir + "/one")
        #expect(store.lookupFile("three", image: image) == top.diffDir + "/three")
        #expect(image.size == bottom.size + middle.size + top.size)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root.paths.tmp)) ?? []).isEmpty)
    }
}

/// Writes a file with a fixed mtime, so the same content always archives to the same DiffID.
func writeFixed(_ path: String, _ text: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
    guard utimensat(AT_FDCWD, path, &times, 0) == 0 else { throw BerthError.internalError("utimensat \(path)") }
}
