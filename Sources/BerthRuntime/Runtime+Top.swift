import BerthCore
import Foundation

/// What `docker top` shows: ps's titles and the rows of the container's processes.
public struct ProcessList: Sendable {
    public var titles: [String]
    public var processes: [[String]]
}

extension Runtime {
    /// `docker top CONTAINER [ps OPTIONS]`: runs the host's `ps` (default `-ef`) and keeps
    /// the rows whose PID is in the container's PID namespace, as moby's top does (it asks
    /// the cgroup; the namespace of init names the same processes here).
    public func top(_ ref: String, psArgs: [String]) throws -> ProcessList {
        let record = try container(ref)
        guard record.state.status == .running,
            let namespace = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(record.state.pid)/ns/pid")
        else {
            throw BerthError.daemon("container \(record.id.rawValue) is not running")
        }
        let procs = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        let pids = Set(procs.compactMap(Int.init).filter {
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0)/ns/pid")) == namespace
        })
        // moby splits the options on spaces, as they came joined from the CLI.
        let args = psArgs.isEmpty ? ["-ef"] : psArgs.joined(separator: " ").split(separator: " ").map(String.init)
        let ps = try Subprocess.run("/usr/bin/env", ["ps"] + args)
        guard ps.status == 0 else {
            throw BerthError.daemon("ps: \(ps.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))", exitCode: 1)
        }
        let lines = ps.output.split(separator: "\n").map(String.init)
        let titles = (lines.first ?? "").split(separator: " ").map(String.init)
        guard let pidIndex = titles.firstIndex(of: "PID") else {
            throw BerthError.daemon("Couldn't find PID field in ps output", exitCode: 1)
        }
        var list = ProcessList(titles: titles, processes: [])
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= titles.count, let pid = Int(fields[pidIndex]), pids.contains(pid) else { continue }
            // The last title (CMD) takes the rest of the line, spaces and all.
            list.processes.append(Array(fields[..<(titles.count - 1)]) + [fields[(titles.count - 1)...].joined(separator: " ")])
        }
        return list
    }
}
