import Foundation

/// What a container could leave behind on the host, restricted to one state root:
/// mounts under it, monitor processes serving it, files in its run dir.
public struct HostSnapshot: Equatable, CustomStringConvertible {
    public var mounts: [String]
    public var monitors: [Int32]
    public var runFiles: [String]

    public static func capture(_ berth: BerthProcess) -> HostSnapshot {
        let root = berth.paths.root
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let mounts = mountinfo.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4].hasPrefix(root) || fields[4].hasPrefix(berth.paths.run) else { return nil }
            return String(fields[4])
        }.sorted()
        var monitors: [Int32] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let cmd = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline"))
            else { continue }
            let args = cmd.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if args.first?.hasSuffix("berth-monitor") == true, args.dropFirst().first?.hasPrefix(berth.paths.run) == true {
                monitors.append(pid)
            }
        }
        let runFiles = ((FileManager.default.enumerator(atPath: berth.paths.run)?.allObjects as? [String]) ?? []).sorted()
        return HostSnapshot(mounts: mounts, monitors: monitors.sorted(), runFiles: runFiles)
    }

    public var description: String { "mounts=\(mounts) monitors=\(monitors) run=\(runFiles)" }
}
