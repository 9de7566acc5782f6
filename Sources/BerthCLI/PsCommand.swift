import ArgumentParser
import BerthCore
import BerthNetwork
import BerthRuntime
import Foundation

struct PsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ps", abstract: "List containers")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Show all containers (default shows just running)") var all = false
    @Flag(name: .shortAndLong, help: "Only display container IDs") var quiet = false
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output") var noTrunc = false
    @Flag(name: .shortAndLong, help: "Show the latest created container (includes all states)") var latest = false
    @Option(name: [.customShort("n"), .long], help: "Show n last created containers (includes all states)") var last: Int?
    @Option(name: .long, help: "Format output using a custom template") var format: String?

    static let defaultFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
    static let titles = [
        "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Status": "STATUS", "Ports": "PORTS", "Names": "NAMES", "State": "STATE",
        "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS", "Size": "SIZE", "LocalVolumes": "LOCAL VOLUMES",
    ]

    func run() throws {
        let runtime = global.runtime()
        var records = try runtime.containers()
        if !all && !latest && last == nil { records = records.filter { $0.state.status == .running } }
        if latest { records = Array(records.prefix(1)) }
        if let last { records = Array(records.prefix(last)) }
        let console = Console.current
        if quiet {
            for r in records { console.out(noTrunc ? r.id.rawValue : r.id.short) }
            return
        }
        let template = try GoTemplate(format ?? Self.defaultFormat)
        let rows = try records.map { try template.render(fields(for: $0, runtime: runtime)) }
        template.write(rows, titles: Self.titles, to: console)
    }

    func fields(for r: ContainerRecord, runtime: Runtime) -> TemplateValue {
        let full = ([r.path] + r.args).joined(separator: " ")
        let command = "\"" + (noTrunc ? full : ellipsis(full, 20)) + "\""
        let created = Timestamp.parse(r.created) ?? Date()
        let ports = r.state.running ? PortsColumn.render(r.berth.endpoint?.ports ?? []) : ""
        return .fields([
            "ID": noTrunc ? r.id.rawValue : r.id.short,
            "Image": r.config.image,
            "Command": command,
            "CreatedAt": CreatedAt.render(created),
            "RunningFor": HumanDuration.string(Date().timeIntervalSince(created)) + " ago",
            "Status": StatusColumn.render(r),
            "State": r.state.status.rawValue,
            "Ports": ports,
            "Names": r.displayName,
            "Labels": r.config.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
            "Mounts": ((try? runtime.hostConfig(r.id))?.binds ?? []).compactMap { $0.split(separator: ":").first }.joined(separator: ","),
            "Networks": (try? runtime.hostConfig(r.id))?.networkMode == "host" ? "host" : "bridge",
            "LocalVolumes": String(r.volumeMounts.count),
            "Size": "0B",  // Docker's value without --size
        ], type: "*formatter.ContainerContext")
    }
}

/// Docker truncates with a single "…" so the result has `max` characters.
func ellipsis(_ s: String, _ max: Int) -> String {
    s.count <= max ? s : String(s.prefix(max - 1)) + "…"
}

/// "Up 5 seconds", "Exited (0) 3 minutes ago", "Created".
enum StatusColumn {
    static func render(_ r: ContainerRecord) -> String {
        switch r.state.status {
        case .running:
            let since = Timestamp.parse(r.state.startedAt) ?? Date()
            return "Up " + HumanDuration.string(Date().timeIntervalSince(since))
        case .exited:
            let at = Timestamp.parse(r.state.finishedAt) ?? Date()
            return "Exited (\(r.state.exitCode)) " + HumanDuration.string(Date().timeIntervalSince(at)) + " ago"
        case .created: return "Created"
        case .paused: return "Up (Paused)"
        case .restarting: return "Restarting"
        case .removing: return "Removal In Progress"
        case .dead: return "Dead"
        }
    }
}

/// Go's time.Time String(): "2026-11-23 12:00:00 +0000 UTC", which `{{.CreatedAt}}` prints.
enum CreatedAt {
    static func render(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss Z 'UTC'"
        return f.string(from: date)
    }
}

/// The PORTS column: `0.0.0.0:8080->80/tcp`, comma-separated, as bound.
enum PortsColumn {
    static func render(_ ports: [PortMapping]) -> String {
        ports.map { p in "\(p.hostEndpoint)->\(p.key)" }.joined(separator: ", ")
    }
}
