import ArgumentParser
import BerthCore
import BerthRuntime
import Foundation

/// `docker volume create|ls|inspect|rm|prune`: local volumes under `<root>/volumes`.
struct VolumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volume", abstract: "Manage volumes",
        subcommands: [Create.self, Ls.self, Inspect.self, Rm.self, Prune.self])

    /// `--label K=V` (a bare `K` is an empty value), as Docker reads it.
    static func labels(_ list: [String]) -> [String: String] {
        var out: [String: String] = [:]
        for l in list {
            let kv = l.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return out
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a volume")
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "Specify volume driver name") var driver = "local"
        @Option(name: .long, help: "Set metadata for a volume") var label: [String] = []
        @Option(name: [.short, .customLong("opt")], help: "Set driver specific options") var opt: [String] = []
        @Argument(help: "Volume name") var name: String?

        func run() throws {
            guard driver == "local" else {
                throw BerthError.daemon(
                    "create \(name ?? ""): error looking up volume plugin \(driver): plugin \"\(driver)\" not found")
            }
            // The local driver's options (type, device, o) mount a filesystem: not offered here.
            if let o = opt.first {
                throw BerthError.daemon("create \(name ?? ""): invalid option: \"\(o.split(separator: "=").first ?? "")\"")
            }
            let volume = try global.runtime().createVolume(name: name, labels: VolumeCommand.labels(label))
            Console.current.out(volume.name)
        }
    }

    struct Ls: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List volumes", aliases: ["list"])
        @OptionGroup var global: GlobalOptions
        @Flag(name: .shortAndLong, help: "Only display volume names") var quiet = false
        @Option(name: .long, help: "Format output using a custom template") var format: String?
        @Option(name: .shortAndLong, help: "Provide filter values (e.g. \"dangling=true\")") var filter: [String] = []

        static let titles = [
            "Name": "VOLUME NAME", "Driver": "DRIVER", "Scope": "SCOPE", "Mountpoint": "MOUNTPOINT",
            "Labels": "LABELS", "Links": "LINKS", "Size": "SIZE", "CreatedAt": "CREATED",
        ]

        func run() throws {
            let runtime = global.runtime()
            let users = try runtime.volumeUsers()
            let volumes = try runtime.volumes().filter { try VolumeFilter(filter).matches($0, inUse: users[$0.name] != nil) }
            let console = Console.current
            if quiet {
                volumes.forEach { console.out($0.name) }
                return
            }
            let template = try GoTemplate(format ?? "table {{.Driver}}\t{{.Name}}")
            let rows = try volumes.map { v in
                try template.render(.fields([
                    "Name": v.name, "Driver": v.driver, "Scope": v.scope, "Mountpoint": v.mountpoint,
                    "Labels": (v.labels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                    "Links": "N/A", "Size": "N/A", "CreatedAt": v.createdAt,
                ]))
            }
            template.write(rows, titles: Self.titles, to: console)
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect", abstract: "Display detailed information on one or more volumes")
        @OptionGroup var global: GlobalOptions
        @Option(name: .shortAndLong, help: "Format output using a custom template") var format: String?
        @Argument(help: "Volumes") var volumes: [String] = []

        func validate() throws {
            if volumes.isEmpty { throw ValidationError("\"docker volume inspect\" requires at least 1 argument.") }
        }

        func run() throws {
            let runtime = global.runtime()
            try printInspected(volumes, format: format) { try TemplateValue(encoding: runtime.volume($0)) }
        }
    }

    struct Rm: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove one or more volumes", aliases: ["remove"])
        @OptionGroup var global: GlobalOptions
        @Flag(name: .shortAndLong, help: "Force the removal of one or more volumes") var force = false
        @Argument(help: "Volumes") var volumes: [String] = []

        func validate() throws {
            if volumes.isEmpty { throw ValidationError("\"docker volume rm\" requires at least 1 argument.") }
        }

        func run() throws {
            let runtime = global.runtime()
            try forEachContainer(volumes) { name in
                try runtime.removeVolume(name, force: force)
                Console.current.out(name)
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "prune", abstract: "Remove unused local volumes")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .shortAndLong, help: "Remove all unused volumes, not just anonymous ones") var all = false
        @Flag(name: .shortAndLong, help: "Do not prompt for confirmation") var force = false

        func run() throws {
            let console = Console.current
            if !force {
                let which = all ? "all local volumes" : "anonymous local volumes"
                console.outRaw("WARNING! This will remove \(which) not used by at least one container.\nAre you sure you want to continue? [y/N] ")
                guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { return }
            }
            let pruned = try global.runtime().pruneVolumes(all: all)
            if !pruned.names.isEmpty {
                console.out("Deleted Volumes:")
                pruned.names.forEach { console.out($0) }
                console.out("")
            }
            console.out("Total reclaimed space: \(HumanSize.string(pruned.reclaimed))")
        }
    }
}

/// `volume ls --filter`: `dangling=true|false`, `name=SUBSTRING`, `label=KEY[=VALUE]`, `driver=local`.
struct VolumeFilter {
    var conditions: [(key: String, value: String)] = []

    init(_ specs: [String]) throws {
        for spec in specs {
            let kv = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, ["dangling", "name", "label", "driver"].contains(kv[0]) else {
                throw BerthError.daemon("invalid filter '\(kv.first ?? spec)'")
            }
            if kv[0] == "dangling", !["true", "false", "1", "0"].contains(kv[1]) {
                throw BerthError.daemon("invalid filter 'dangling=\(kv[1])'")
            }
            conditions.append((kv[0], kv[1]))
        }
    }

    /// Filters of one key are alternatives; different keys must all hold (Docker's rule).
    func matches(_ v: Volume, inUse: Bool) -> Bool {
        Dictionary(grouping: conditions, by: \.key).allSatisfy { key, values in
            values.contains { c in
                switch key {
                case "dangling": (c.value == "true" || c.value == "1") == !inUse
                case "name": v.name.contains(c.value)
                case "driver": v.driver == c.value
                default:
                    c.value.contains("=")
                        ? v.labels?[String(c.value.split(separator: "=", maxSplits: 1)[0])]
                            == String(c.value.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[1])
                        : v.labels?[c.value] != nil
                }
            }
        }
    }
}
