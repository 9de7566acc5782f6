import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// `docker info`: what the runtime holds and where, in Docker's layout.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Display system-wide information")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Format output using a custom template") var format: String?

    func run() throws {
        let info = try SystemInfo.collect(global.paths, runtime: global.runtime())
        if let format {
            Console.current.out(try GoTemplate(format).render(try TemplateValue(encoding: info)))
            return
        }
        let lines = [
            "Client:",
            " Version:    \(VersionCommand.version)",
            " Context:    default",
            "",
            "Server:",
            " Containers: \(info.containers)",
            "  Running: \(info.containersRunning)",
            "  Paused: \(info.containersPaused)",
            "  Stopped: \(info.containersStopped)",
            " Images: \(info.images)",
            " Server Version: \(VersionCommand.version)",
            " Storage Driver: \(info.driver)",
            "  Backing Filesystem: \(info.backingFilesystem)",
            "  Supports d_type: true",
            "  Using metacopy: false",
            "  Native Overlay Diff: true",
            "  userxattr: false",
            " Logging Driver: json-file",
            " Cgroup Driver: \(info.cgroupDriver)",
            " Cgroup Version: \(info.cgroupVersion)",
            " Runtimes: berth",
            " Default Runtime: berth",
            " Kernel Version: \(info.kernelVersion)",
            " Operating System: \(info.operatingSystem)",
            " OSType: \(info.osType)",
            " Architecture: \(info.architecture)",
            " CPUs: \(info.ncpu)",
            " Total Memory: \(SystemInfo.binarySize(info.memTotal))",
            " Name: \(info.name)",
            " Docker Root Dir: \(info.dockerRootDir)",
            " Debug Mode: false",
            " Live Restore Enabled: false",
        ]
        lines.forEach { Console.current.out($0) }
    }
}

/// `docker info`'s fields, with the keys `docker info --format '{{json .}}'` uses.
struct SystemInfo: Encodable {
    var containers = 0
    var containersRunning = 0
    var containersPaused = 0
    var containersStopped = 0
    var images = 0
    var driver = "overlay2"
    var backingFilesystem = ""
    var cgroupDriver = "cgroupfs"
    var cgroupVersion = "2"
    var kernelVersion = ""
    var operatingSystem = ""
    var osType = "linux"
    var architecture = ""
    var ncpu = 0
    var memTotal: Int64 = 0
    var name = ""
    var dockerRootDir = ""

    enum CodingKeys: String, CodingKey {
        case containers = "Containers", containersRunning = "ContainersRunning", containersPaused = "ContainersPaused"
        case containersStopped = "ContainersStopped", images = "Images", driver = "Driver"
        case backingFilesystem = "BackingFilesystem", cgroupDriver = "CgroupDriver", cgroupVersion = "CgroupVersion"
        case kernelVersion = "KernelVersion", operatingSystem = "OperatingSystem", osType = "OSType"
        case architecture = "Architecture", ncpu = "NCPU", memTotal = "MemTotal", name = "Name", dockerRootDir = "DockerRootDir"
    }

    static func collect(_ paths: StatePaths, runtime: Runtime) throws -> SystemInfo {
        var info = SystemInfo()
        let records = try runtime.containers()
        info.containers = records.count
        info.containersRunning = records.filter { $0.state.status == .running }.count
        info.containersPaused = records.filter { $0.state.status == .paused }.count
        info.containersStopped = info.containers - info.containersRunning - info.containersPaused
        info.images = ImageStore(paths: paths).images().count
        info.backingFilesystem = backingFilesystem(paths.root)
        info.cgroupVersion = FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") ? "2" : "1"
        var u = utsname()
        uname(&u)
        info.kernelVersion = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        info.architecture = machine
        info.name = withUnsafeBytes(of: &u.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        info.operatingSystem = osRelease() ?? "Linux"
        info.ncpu = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        info.memTotal = Int64(sysconf(Int32(_SC_PHYS_PAGES))) * Int64(sysconf(Int32(_SC_PAGESIZE)))
        info.dockerRootDir = paths.root
        return info
    }

    /// `PRETTY_NAME` from /etc/os-release.
    static func osRelease() -> String? {
        guard let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst(12)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return nil
    }

    /// The filesystem type of the mount holding `path` (longest mountpoint prefix in
    /// /proc/self/mountinfo), named as Docker's `fsutils` names it (`extfs` for ext2/3/4).
    static func backingFilesystem(_ path: String) -> String {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return "<unknown>" }
        var best = (length: -1, type: "<unknown>")
        for line in text.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            let fields = halves[0].split(separator: " ")
            guard halves.count == 2, fields.count > 4, let type = halves[1].split(separator: " ").first else { continue }
            let mountpoint = String(fields[4])
            let matches = mountpoint == "/" || path == mountpoint || path.hasPrefix(mountpoint + "/")
            if matches && mountpoint.count >= best.length { best = (mountpoint.count, String(type)) }
        }
        return best.type.hasPrefix("ext") ? "extfs" : best.type
    }

    /// go-units `BytesSize`: binary units, "15.59GiB".
    static func binarySize(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var v = Double(bytes)
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        return String(format: "%.4g", v) + units[i]
    }
}
