import BerthCore
import Foundation
import Testing

@testable import BerthImages

@Suite(.enabled(if: hasBusyboxStatic, "needs busybox-static (apt-get install busybox-static)"))
struct ContainerLayerTests {
    static func newID() -> String { RandomID.hex() }

    @Test("prepare makes Docker's container layout; remove deletes it and is idempotent")
    func layout() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let store = root.store
        let paths = root.paths
        let image = try store.ensureSeed(.busybox)
        let cid = ContainerLayerTests.newID()
        let layer = try store.prepareContainerLayer(containerID: cid, image: image)
        let fm = FileManager.default

        let meta = paths.imageRoot + "/layerdb/mounts/" + cid
        #expect(readText(meta + "/mount-id") == layer.mountID)
        #expect(readText(meta + "/init-id") == layer.mountID + "-init")
        #expect(readText(meta + "/parent") == image.layers[0].chainID.string)
        #expect(layer.parent == image.topChainID)
        #expect(layer.cacheDir == paths.overlay + "/" + layer.mountID)
        for d in [layer.upperDir, layer.workDir, layer.mergedDir] {
            #expect(lstatMode(d).map { $0 & S_IFMT } == S_IFDIR, "\(d)")
        }
        #expect(layer.upperDir == layer.cacheDir + "/diff")
        #expect(layer.overlayCwd == paths.overlay)

        let initDir = paths.overlay + "/" + layer.mountID + "-init"
        let initLink = try #require(readText(initDir + "/link"))
        let imageLink = image.layers[0].link
        #expect(readText(initDir + "/lower") == "l/" + imageLink)
        #expect(readText(layer.cacheDir + "/lower") == "l/\(initLink):l/\(imageLink)")
        #expect(layer.overlayData == "lowerdir=l/\(initLink):l/\(imageLink),upperdir=\(layer.mountID)/diff,workdir=\(layer.mountID)/work")
        #expect(layer.lowerDirs == [initDir + "/diff", image.layers[0].diffDir])
        for stub in ["etc/hosts", "etc/hostname", "etc/resolv.conf", "dev/console", "dev/pts", "dev/shm", "proc", "sys"] {
            #expect(fm.fileExists(atPath: initDir + "/diff/" + stub), "\(stub)")
        }
        #expect(try fm.destinationOfSymbolicLink(atPath: initDir + "/diff/etc/mtab") == "/proc/mounts")
        let linkName = try #require(readText(layer.cacheDir + "/link"))
        #expect(try fm.destinationOfSymbolicLink(atPath: paths.overlayLinks + "/" + linkName) == "../\(layer.mountID)/diff")

        #expect(try store.containerLayer(containerID: cid) == layer)
        #expect(try store.prepareContainerLayer(containerID: cid, image: image) == layer)  // already there
        #expect(try store.lookupFile("/etc/passwd", containerID: cid) == image.layers[0].diffDir + "/etc/passwd")
        #expect(try store.lookupFile("/etc/hosts", containerID: cid) == initDir + "/diff/etc/hosts")

        // A symlink in the container's layer is removed, never followed.
        let outside = try root.scratch("outside")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: outside + "/file"))
        try fm.createSymbolicLink(atPath: layer.upperDir + "/link", withDestinationPath: outside)
        try fm.createSymbolicLink(atPath: layer.upperDir + "/abs", withDestinationPath: outside + "/file")

        try store.removeContainerLayer(containerID: cid)
        #expect(readText(outside + "/file") == "keep")
        for gone in [layer.cacheDir, initDir, meta, paths.overlayLinks + "/" + linkName, paths.overlayLinks + "/" + initLink] {
            #expect(!fm.fileExists(atPath: gone), "\(gone)")
        }
        #expect(fm.fileExists(atPath: image.layers[0].diffDir + "/bin/busybox"))
        try store.removeContainerLayer(containerID: cid)
        #expect(throws: BerthError.self) { try store.containerLayer(containerID: cid) }
        #expect(throws: BerthError.self) { try store.prepareContainerLayer(containerID: "../x", image: image) }
        #expect(((try? fm.contentsOfDirectory(atPath: paths.tmp)) ?? []).isEmpty)
    }

    @Test("a real overlay mount of the container layer", .enabled(if: isRoot, "needs root: mount -t overlay"))
    func overlayMount() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let store = root.store
        let image = try store.ensureSeed(.busybox)
        let cid = ContainerLayerTests.newID()
        let layer = try store.prepareContainerLayer(containerID: cid, image: image)
        let mounted = try run(
            ["/bin/mount", "-t", "overlay", "overlay", "-o", layer.overlayData, layer.mergedDir], cwd: layer.overlayCwd)
        #expect(mounted.status == 0, "mount: \(mounted.err)")
        guard mounted.status == 0 else { return }
        var unmounted = false
        defer { if !unmounted { _ = try? run(["/bin/umount", layer.mergedDir]) } }

        let fm = FileManager.default
        let merged = layer.mergedDir
        #expect(fm.isExecutableFile(atPath: merged + "/bin/sh"))
        #expect(fm.fileExists(atPath: merged + "/etc/hosts"))
        #expect(readText(merged + "/etc/passwd")?.hasPrefix("root:") == true)

        // Writes land in the container's upper dir only.
        try Data("hi\n".utf8).write(to: URL(fileURLWithPath: merged + "/hello.txt"))
        #expect(readText(layer.upperDir + "/hello.txt") == "hi\n")
        #expect(!fm.fileExists(atPath: image.layers[0].diffDir + "/hello.txt"))
        #expect(store.lookupFile("/hello.txt", image: image) == nil)
        #expect(try store.lookupFile("/hello.txt", containerID: cid) == layer.upperDir + "/hello.txt")

        // Changing and deleting image files: copy-up and a whiteout, the image untouched.
        try Data("root:x:0:\nstaff:x:50:me\n".utf8).write(to: URL(fileURLWithPath: merged + "/etc/group"))
        try fm.removeItem(atPath: merged + "/etc/passwd")
        #expect(try store.lookupFile("/etc/group", containerID: cid) == layer.upperDir + "/etc/group")
        #expect(try store.lookupFile("/etc/passwd", containerID: cid) == nil)
        #expect(store.lookupFile("/etc/passwd", image: image) != nil)
        #expect(readText(image.layers[0].diffDir + "/etc/group")?.contains("nogroup") == true)

        // A container another test starts at this moment copies this mount into its new mount
        // namespace until it pivots away; unmount propagation can be refused for that instant.
        var umount = try run(["/bin/umount", merged])
        for _ in 0..<15 where umount.status != 0 {
            usleep(200_000)
            umount = try run(["/bin/umount", merged])
        }
        #expect(umount.status == 0, "umount: \(umount.err)")
        unmounted = true
        try store.removeContainerLayer(containerID: cid)
        #expect(!fm.fileExists(atPath: layer.cacheDir))
        #expect(fm.fileExists(atPath: image.layers[0].diffDir + "/etc/passwd"))
    }

    @Test("remove detaches a mount left behind and never deletes through it", .enabled(if: isRoot, "needs root: mount"))
    func removeWhileMounted() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let store = root.store
        let image = try store.ensureSeed(.busybox)
        let cid = ContainerLayerTests.newID()
        let layer = try store.prepareContainerLayer(containerID: cid, image: image)
        let mounted = try run(
            ["/bin/mount", "-t", "overlay", "overlay", "-o", layer.overlayData, layer.mergedDir], cwd: layer.overlayCwd)
        #expect(mounted.status == 0, "mount: \(mounted.err)")
        defer { _ = try? run(["/bin/umount", "-l", layer.mergedDir]) }
        try store.removeContainerLayer(containerID: cid)
        #expect(!FileManager.default.fileExists(atPath: layer.cacheDir))
        #expect(FileManager.default.isExecutableFile(atPath: image.layers[0].diffDir + "/bin/busybox"))
        #expect(FileManager.default.fileExists(atPath: image.layers[0].diffDir + "/etc/passwd"))
        #expect(try store.image("busybox").id == image.id)
    }

    @Test("an image with no layers still mounts: the init layer is the one lower", .enabled(if: isRoot, "needs root: mount"))
    func emptyImage() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let store = root.store
        let image = try store.registerImage(config: ImageConfig(architecture: "amd64", rootfs: RootFS(diffIDs: [])), tags: ["scratch-ish"])
        #expect(image.layers.isEmpty)
        let cid = ContainerLayerTests.newID()
        let layer = try store.prepareContainerLayer(containerID: cid, image: image)
        #expect(layer.lowerDirs.count == 1)
        #expect(layer.parent == nil)
        #expect(!FileManager.default.fileExists(atPath: root.paths.imageRoot + "/layerdb/mounts/\(cid)/parent"))
        let mounted = try run(
            ["/bin/mount", "-t", "overlay", "overlay", "-o", layer.overlayData, layer.mergedDir], cwd: layer.overlayCwd)
        #expect(mounted.status == 0, "mount: \(mounted.err)")
        if mounted.status == 0 {
            #expect(FileManager.default.fileExists(atPath: layer.mergedDir + "/etc/hosts"))
            #expect(try run(["/bin/umount", layer.mergedDir]).status == 0)
        }
        try store.removeContainerLayer(containerID: cid)
        #expect(!FileManager.default.fileExists(atPath: layer.cacheDir))
    }

    @Test("the detached root and the mounted fallback (kernels before 6.8) see and write the same files",
          .enabled(if: isRoot, "needs root: overlay mounts"))
    func detachedAndMountedRoots() throws {
        let root = try TestRoot()
        defer { root.remove() }
        let image = try root.store.ensureSeed(.busybox)
        let layer = try root.store.prepareContainerLayer(containerID: ContainerLayerTests.newID(), image: image)
        func mountsUnderRoot() -> [String] {
            ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.contains(" " + root.paths.root) }.map(String.init)
        }
        try layer.withDetachedRoot { fd in
            #expect(mountsUnderRoot().isEmpty)  // mounted nowhere
            #expect(faccessat(fd, "bin/busybox", X_OK, 0) == 0)
            let f = openat(fd, "made-detached", O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            #expect(f >= 0)
            close(f)
        }
        try layer.withMountedRoot { fd in
            #expect(mountsUnderRoot().count == 1)
            #expect(faccessat(fd, "bin/busybox", X_OK, 0) == 0)
            #expect(faccessat(fd, "made-detached", F_OK, 0) == 0)
        }
        #expect(mountsUnderRoot().isEmpty)
        #expect(FileManager.default.fileExists(atPath: layer.upperDir + "/made-detached"))
    }
}
