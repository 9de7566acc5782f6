import BerthCore
import Foundation
import Testing

@testable import BerthImages

@Suite(.enabled(if: hasBusyboxStatic, "needs busybox-static (apt-get install busybox-static)"))
struct SeedTests {
    @Test("busybox seed: ID, DiffID, ChainID, layerdb, overlay2 and repositories.json agree")
    func seedIsConsistent() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let clock = ContinuousClock()
        var image: Image!
        let first = try clock.measure { image = try root.store.ensureSeed(.busybox) }
        var again: Image!
        let second = try clock.measure { again = try root.store.ensureSeed(.busybox) }
        print("ensureSeed(.busybox): fresh root \(first), already present \(second)")
        #expect(again == image)

        // Image ID = sha256 of exactly the stored config bytes.
        let paths = root.paths
        let configBytes = try Data(contentsOf: URL(fileURLWithPath: paths.imageDB + "/" + image.id.hex))
        #expect(Digest.sha256(of: configBytes) == image.id)
        let config = try ImageConfig.decode(configBytes)
        #expect(config == image.config)
        #expect(config.os == "linux")
        #expect(config.architecture == (HostArchitecture.current == "amd64" ? "amd64" : config.architecture))
        #expect(config.config?.cmd == ["sh"])
        #expect(config.config?.env == ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
        #expect(config.history?.count == 1)
        #expect(config.history?[0].createdBy?.hasPrefix("berth seed: busybox-static ") == true)
        #expect(image.repoTags == ["busybox:latest"])

        // One layer; ChainID(1) = DiffID(1); layerdb files as Docker writes them.
        #expect(image.layers.count == 1)
        let layer = image.layers[0]
        #expect(config.rootfs.diffIDs == [layer.diffID])
        #expect(layer.chainID == layer.diffID)
        let meta = paths.layerDB + "/" + layer.chainID.hex
        #expect(readText(meta + "/diff") == layer.diffID.string)
        #expect(readText(meta + "/cache-id") == layer.cacheID)
        #expect(readText(meta + "/size") == String(layer.size))
        #expect(!FileManager.default.fileExists(atPath: meta + "/parent"))
        #expect(layer.size > 1_000_000)
        #expect(image.size == layer.size)

        // overlay2/<cache-id>/{diff,link} and l/<link> -> ../<cache-id>/diff.
        let cacheDir = paths.overlay + "/" + layer.cacheID
        #expect(readText(cacheDir + "/link") == layer.link)
        #expect(layer.link.count == 26)
        #expect(!FileManager.default.fileExists(atPath: cacheDir + "/lower"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: paths.overlayLinks + "/" + layer.link) == "../\(layer.cacheID)/diff")
        #expect(layer.diffDir == cacheDir + "/diff")

        // The tree: applets are hard links of one binary; modes as in Docker Hub's image.
        var sh = stat(), bb = stat()
        #expect(lstat(layer.diffDir + "/bin/sh", &sh) == 0 && lstat(layer.diffDir + "/bin/busybox", &bb) == 0)
        #expect(sh.st_ino == bb.st_ino)
        #expect(bb.st_nlink > 100)
        #expect(lstatMode(layer.diffDir + "/tmp").map { $0 & 0o7777 } == 0o1777)
        #expect(lstatMode(layer.diffDir + "/root").map { $0 & 0o7777 } == 0o700)
        #expect(lstatMode(layer.diffDir + "/bin/busybox").map { $0 & 0o7777 } == 0o755)
        for dir in ["dev", "proc", "sys", "home", "usr/sbin", "var/spool/mail", "var/www", "etc/network"] {
            #expect(lstatMode(layer.diffDir + "/" + dir).map { $0 & S_IFMT } == S_IFDIR, "\(dir)")
        }
        #expect(readText(layer.diffDir + "/etc/hosts") == "")
        #expect(readText(layer.diffDir + "/etc/resolv.conf") == "")
        #expect(readText(layer.diffDir + "/etc/group")?.contains("nogroup:x:65534:") == true)

        // The DiffID is the sha256 of the layer's tar: archive the diff dir again, to a file this
        // time, and check the file's hash and what GNU tar sees in it.
        let tarPath = root.base + "/layer.tar"
        let again2 = try LayerArchiver(owner: (0, 0)).archive(directory: layer.diffDir, toFile: tarPath)
        #expect(again2.diffID == layer.diffID)
        #expect(Digest.sha256(of: try Data(contentsOf: URL(fileURLWithPath: tarPath))) == layer.diffID)
        let listing = try run(["/bin/tar", "--numeric-owner", "-tvf", tarPath])
        #expect(listing.status == 0)
        let shLine = listing.out.split(separator: "\n").first { $0.hasSuffix(" bin/sh link to bin/[") }
        #expect(shLine?.hasPrefix("hrwxr-xr-x 0/0") == true, "bin/sh should be a hard link: \(shLine ?? "missing")")
        #expect(listing.out.contains(" bin/[\n") || listing.out.contains(" bin/[ "))

        // repositories.json in Docker's shape.
        let repos = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: paths.repositories))) as? [String: Any]
        let busybox = (repos?["Repositories"] as? [String: Any])?["busybox"] as? [String: String]
        #expect(busybox == ["busybox:latest": image.id.string])

        // Nothing left in tmp/.
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: paths.tmp)) ?? []).isEmpty)

        // /etc/passwd through the layers.
        let passwd = try #require(root.store.lookupFile("/etc/passwd", image: image))
        #expect(passwd == layer.diffDir + "/etc/passwd")
        #expect(readText(passwd)?.hasPrefix("root:x:0:0:root:/root:/bin/sh\n") == true)
        #expect(readText(passwd)?.contains("nobody:x:65534:65534:") == true)
        #expect(root.store.lookupFile("/etc/shadow", image: image) == nil)
    }

    @Test("the same binary gives the same image ID in another state root")
    func deterministic() throws {
        let a = try TestRoot()
        let b = try TestRoot()
        defer { a.remove(); b.remove() }
        let one = try a.store.ensureSeed(.busybox)
        let two = try b.store.ensureSeed(.busybox)
        #expect(one.id == two.id)
        #expect(one.layers.map(\.diffID) == two.layers.map(\.diffID))
        #expect(one.layers[0].cacheID != two.layers[0].cacheID)  // cache IDs are random, like Docker's
    }

    @Test("concurrent seeding makes one image and one layer")
    func concurrent() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let paths = root.paths
        let ids = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let id = (try? ImageStore(paths: paths).ensureSeed(.busybox))?.id.string ?? "failed"
            ids.withLock { $0.append(id) }
        }
        let all = ids.withLock { $0 }
        #expect(all.count == 4)
        #expect(Set(all).count == 1)
        #expect(!all.contains("failed"))
        let fm = FileManager.default
        #expect(try fm.contentsOfDirectory(atPath: paths.imageDB).count == 1)
        #expect(try fm.contentsOfDirectory(atPath: paths.layerDB).count == 1)
        #expect(try fm.contentsOfDirectory(atPath: paths.overlay).filter { $0 != "l" }.count == 1)
        #expect(try fm.contentsOfDirectory(atPath: paths.overlayLinks).count == 1)
    }

    @Test("a missing or dynamic busybox is a clear error naming the package")
    func missingBinary() throws {
        for path in ["/nonexistent/busybox", "/bin/ls"] {
            #expect(throws: BerthError.seedSourceMissing("busybox", path: path, package: "busybox-static")) {
                try BusyboxSeed(binary: path)
            }
        }
        #expect(BerthError.seedSourceMissing("busybox", path: "/bin/busybox", package: "busybox-static").message
            .contains("apt-get install busybox-static"))
    }

    @Test("image() never builds a seed")
    func noAutoSeed() throws {
        let root = try TestRoot()
        defer { root.remove() }
        #expect(throws: BerthError.noSuchImage("busybox:latest")) { try root.store.image("busybox") }
        #expect(root.store.images().isEmpty)
    }
}
