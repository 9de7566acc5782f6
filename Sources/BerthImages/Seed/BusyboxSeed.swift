#if canImport(Glibc)
import Glibc
#endif
import BerthCore

/// `busybox:latest` built from the host's static busybox, laid out like Docker Hub's image:
/// one layer with `/bin/busybox` and every applet as a hard link to it in `/bin`, a small
/// `/etc` (passwd, group, empty hosts and resolv.conf), and the usual empty directories.
///
/// Deterministic: every entry gets uid/gid 0 and the binary's mtime, entries are archived
/// in byte order, and `created` is that same mtime, so the same binary gives the same
/// DiffID and image ID on every machine and every run.
struct BusyboxSeed {
    static let defaultBinary = "/bin/busybox"
    static let package = "busybox-static"

    let binary: String
    /// The binary's mtime, whole seconds: every entry's mtime and the image's `created`.
    let mtime: Int
    let version: String
    /// `busybox --list`, sorted; includes `busybox` itself.
    let applets: [String]
    let architecture: (name: String, variant: String?)

    /// Checks the host binary: present, a static ELF (a dynamic one needs a libc the image
    /// lacks), and able to list its applets. Throws with the `apt-get install` line otherwise.
    init(binary: String = BusyboxSeed.defaultBinary) throws(BerthError) {
        let missing = BerthError.seedSourceMissing("busybox", path: binary, package: BusyboxSeed.package)
        var st = stat()
        guard stat(binary, &st) == 0, st.st_mode & S_IFMT == S_IFREG, let elf = ELFFile(path: binary), !elf.isDynamic else {
            throw missing
        }
        guard let list = HostCommand.output(binary, ["--list"]) else { throw missing }
        let names = Set(list.split(separator: "\n").map(String.init).filter { n in
            !n.isEmpty && n != "." && n != ".." && !n.contains("/")
        })
        guard names.contains("sh") else { throw missing }
        self.binary = binary
        mtime = Int(st.st_mtim.tv_sec)
        applets = names.union(["busybox"]).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        architecture = elf.architecture ?? (HostArchitecture.current, nil)
        let dpkg = HostCommand.output("/usr/bin/dpkg-query", ["-W", "-f", "${Version}", BusyboxSeed.package])?.trimmed
        if let dpkg, !dpkg.isEmpty {
            version = dpkg
        } else {
            // Not installed by dpkg: the binary's own banner, `BusyBox v1.35.0 (…) multi-call binary.`
            version = HostCommand.output(binary, [])?.split(separator: "\n").first.map(String.init) ?? "unknown"
        }
    }

    static let directories: [(String, mode_t)] = [
        ("bin", 0o755), ("dev", 0o755), ("etc", 0o755), ("etc/network", 0o755), ("home", 0o755),
        ("proc", 0o755), ("root", 0o700), ("sys", 0o755), ("tmp", 0o1777), ("usr", 0o755), ("usr/sbin", 0o755),
        ("var", 0o755), ("var/spool", 0o755), ("var/spool/mail", 0o755), ("var/www", 0o755),
    ]

    static let passwd = """
        root:x:0:0:root:/root:/bin/sh
        daemon:x:1:1:daemon:/usr/sbin:/bin/false
        bin:x:2:2:bin:/bin:/bin/false
        sys:x:3:3:sys:/dev:/bin/false
        sync:x:4:100:sync:/bin:/bin/sync
        mail:x:8:8:mail:/var/spool/mail:/bin/false
        www-data:x:33:33:www-data:/var/www:/bin/false
        operator:x:37:37:Operator:/var:/bin/false
        nobody:x:65534:65534:nobody:/home:/bin/false

        """

    static let group = """
        root:x:0:
        daemon:x:1:
        bin:x:2:
        sys:x:3:
        adm:x:4:
        tty:x:5:
        disk:x:6:
        lp:x:7:
        mail:x:8:
        kmem:x:9:
        wheel:x:10:root
        cdrom:x:11:
        dialout:x:18:
        floppy:x:19:
        video:x:28:
        audio:x:29:
        tape:x:32:
        www-data:x:33:
        operator:x:37:
        staff:x:50:
        users:x:100:
        nogroup:x:65534:

        """

    static let files: [(String, String)] = [
        ("etc/group", group), ("etc/hosts", ""), ("etc/passwd", passwd), ("etc/resolv.conf", ""),
    ]

    /// Fills the empty directory `diff` with the image's tree.
    func populate(_ diff: String) throws(BerthError) {
        for (dir, mode) in BusyboxSeed.directories { try StoreFiles.makeDirectory(diff + "/" + dir, mode: mode) }
        for (file, text) in BusyboxSeed.files { try BusyboxSeed.create(diff + "/" + file, bytes: Array(text.utf8), mode: 0o644) }
        try copyBinary(to: diff + "/bin/busybox")
        for name in applets where name != "busybox" {
            guard link(diff + "/bin/busybox", diff + "/bin/" + name) == 0 else {
                throw .internalError("cannot link bin/\(name) in the busybox seed", detail: errnoText())
            }
        }
        // Owners and times last, directories after their contents (adding an entry changes
        // a directory's mtime), deepest first.
        let files = BusyboxSeed.files.map(\.0) + ["bin/busybox"]
        let dirs = BusyboxSeed.directories.map(\.0).sorted { $0.split(separator: "/").count > $1.split(separator: "/").count }
        for relative in files + dirs + [""] {
            let path = relative.isEmpty ? diff : diff + "/" + relative
            if getuid() == 0 { lchown(path, 0, 0) }
            var times = [timespec(tv_sec: mtime, tv_nsec: 0), timespec(tv_sec: mtime, tv_nsec: 0)]
            guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw .internalError("cannot set the time of \(path)", detail: errnoText())
            }
        }
    }

    /// The image config: `sh` by default, Docker's default PATH, history saying where it came from.
    func config(diffID: Digest) -> ImageConfig {
        let created = RFC3339.format(seconds: mtime)
        return ImageConfig(
            architecture: architecture.name, variant: architecture.variant, os: "linux", created: created,
            config: ContainerConfig(env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], cmd: ["sh"]),
            rootfs: RootFS(diffIDs: [diffID]),
            history: [HistoryEntry(created: created, createdBy: "berth seed: \(BusyboxSeed.package) \(version)")])
    }

    private func copyBinary(to path: String) throws(BerthError) {
        let src = open(binary, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { throw .internalError("cannot read \(binary)", detail: errnoText()) }
        defer { close(src) }
        let dst = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard dst >= 0 else { throw .internalError("cannot create \(path)", detail: errnoText()) }
        defer { close(dst) }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(src, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .internalError("cannot read \(binary)", detail: errnoText()) }
            if n == 0 { break }
            var off = 0
            while off < n {
                let w = buf.withUnsafeBytes { write(dst, $0.baseAddress! + off, n - off) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw .internalError("cannot write \(path)", detail: errnoText()) }
                off += w
            }
        }
        fchmod(dst, 0o755)
    }

    static func create(_ path: String, bytes: [UInt8], mode: mode_t) throws(BerthError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .internalError("cannot create \(path)", detail: errnoText()) }
        defer { close(fd) }
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw .internalError("cannot write \(path)", detail: errnoText()) }
        fchmod(fd, mode)
    }
}
