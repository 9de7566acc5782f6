import ArgumentParser
import BerthCore
import BerthImages
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
    // Unconditional so Docker's default `-n -1` parses.
    @Option(name: [.customShort("n"), .long], parsing: .unconditional, help: "Show n last created containers (includes all states)")
    var last: Int?
    @Option(name: .long, help: "Format output using a custom template") var format: String?
    @Option(name: .shortAndLong, help: "Filter output based on conditions provided") var filter: [String] = []
    @Flag(name: .shortAndLong, help: "Display total file sizes") var size = false

    static let defaultFormat = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
    static let titles = [
        "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Status": "STATUS", "Ports": "PORTS", "Names": "NAMES", "State": "STATE",
        "Labels": "LABELS", "Mounts": "MOUNTS", "Networks": "NETWORKS", "Size": "SIZE", "LocalVolumes": "LOCAL VOLUMES",
    ]

    func run() throws {
        let runtime = global.runtime()
        let filters = try PsFilter(filter)
        let images = ImageStore(paths: global.paths)
        var records = try filters.apply(runtime.containers(), runtime: runtime, images: images)
        // -n N (N > 0) and -l list every state; -l is -n 1.
        let limit = latest && (last ?? -1) <= 0 ? 1 : (last ?? -1)
        if !all && limit <= 0 && !filters.showsAll { records = records.filter { $0.state.status == .running } }
        if limit > 0 { records = Array(records.prefix(limit)) }
        let console = Console.current
        if quiet {
            for r in records { console.out(noTrunc ? r.id.rawValue : r.id.short) }
            return
        }
        let template = try GoTemplate(format ?? Self.defaultFormat + (size ? "\t{{.Size}}" : ""))
        // Sizes walk each container's upper dir, so only when asked (`-s`, or a format that prints them).
        // `{{json .}}` prints every field, Size too, so Docker computes it then as well.
        let usesSize = format.map { $0.contains(".Size") || $0 == "json" || $0.contains("json .") } ?? false
        let sizes = size || usesSize ? SizeColumn(images: images) : nil
        let rows = try records.map { try template.render(fields(for: $0, runtime: runtime, sizes: sizes)) }
        template.write(rows, titles: Self.titles, to: console)
    }

    func fields(for r: ContainerRecord, runtime: Runtime, sizes: SizeColumn?) -> TemplateValue {
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
            "Size": sizes?.render(r) ?? "0B",  // Docker's value without --size
        ], type: "*formatter.ContainerContext")
    }
}

/// Docker truncates with a single "…" so the result has `max` characters.
func ellipsis(_ s: String, _ max: Int) -> String {
    s.count <= max ? s : String(s.prefix(max - 1)) + "…"
}

/// `-s`: the container's writable layer, and with its image the whole root: `5B (virtual 4.26MB)`.
struct SizeColumn {
    let images: ImageStore
    let imageSizes: [String: Int64]

    init(images: ImageStore) {
        self.images = images
        imageSizes = Dictionary(images.images().map { ($0.id.string, $0.size) }, uniquingKeysWith: { a, _ in a })
    }

    func render(_ r: ContainerRecord) -> String {
        let rw = (try? images.containerLayer(containerID: r.id.rawValue)).map { DiskUsage.bytes($0.upperDir) } ?? 0
        let virtual = rw + (imageSizes[r.image] ?? 0)
        return HumanSize.string(rw) + (virtual > 0 ? " (virtual \(HumanSize.string(virtual)))" : "")
    }
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
