import ArgumentParser
import BerthCore
import BerthRuntime
import Foundation

/// `docker stats`: CPU, memory, network, block I/O and PIDs of running containers, from
/// their cgroups (v1 or v2) and init's network namespace.
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Display a live stream of container(s) resource usage statistics")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Show all containers (default shows just running)") var all = false
    @Flag(name: .customLong("no-stream"), help: "Disable streaming stats and only pull the first result") var noStream = false
    @Flag(name: .customLong("no-trunc"), help: "Do not truncate output") var noTrunc = false
    @Option(name: .long, help: "Format output using a custom template") var format: String?
    @Argument(help: "Containers (default: all running)") var containers: [String] = []

    static let defaultFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"
    static let titles = [
        "ID": "CONTAINER ID", "Container": "CONTAINER", "Name": "NAME", "CPUPerc": "CPU %",
        "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O",
        "PIDs": "PIDS",
    ]

    /// Docker's CPU % compares two samples; its daemon takes them about a second apart.
    static let interval: useconds_t = 500_000

    func run() throws {
        let runtime = global.runtime()
        let records: [ContainerRecord]
        if containers.isEmpty {
            records = try runtime.containers().filter { all || $0.state.status == .running }
        } else {
            records = try containers.map { try runtime.container($0) }
        }
        let template = try GoTemplate(format ?? Self.defaultFormat)
        var previous = sample(records, runtime)
        while true {
            usleep(Self.interval)
            let current = sample(records, runtime)
            var out: [String] = []
            if template.isTable { out.append(template.header(Self.titles)) }
            for (i, r) in records.enumerated() {
                out.append(try template.render(fields(r, previous[i], current[i])))
            }
            var tw = TabWriter()
            out.forEach { tw.add($0) }
            if !noStream { Console.current.outRaw("\u{1b}[2J\u{1b}[H") }
            Console.current.out(template.isTable ? tw.render() : out.joined(separator: "\n"))
            if noStream { return }
            previous = current
        }
    }

    struct Sample {
        var stats: CgroupStats?
        var systemNanos: UInt64
        var net: (rx: UInt64, tx: UInt64)
    }

    func sample(_ records: [ContainerRecord], _ runtime: Runtime) -> [Sample] {
        let system = Self.systemNanos()
        return records.map { r in
            guard r.state.status == .running else { return Sample(stats: nil, systemNanos: system, net: (0, 0)) }
            return Sample(stats: runtime.cgroupStats(r), systemNanos: system, net: Self.network(pid: r.state.pid))
        }
    }

    func fields(_ r: ContainerRecord, _ a: Sample, _ b: Sample) -> TemplateValue {
        let id = noTrunc ? r.id.rawValue : r.id.short
        guard let s = b.stats, let before = a.stats else {
            return .fields([
                "ID": id, "Container": id, "Name": r.displayName, "CPUPerc": "0.00%", "MemUsage": "0B / 0B",
                "MemPerc": "0.00%", "NetIO": "0B / 0B", "BlockIO": "0B / 0B", "PIDs": "0",
            ])
        }
        let cpuDelta = Double(s.cpuNanos &- before.cpuNanos)
        let sysDelta = Double(b.systemNanos &- a.systemNanos)
        let cpus = Double(ProcessInfo.processInfo.activeProcessorCount)
        let cpu = sysDelta > 0 && s.cpuNanos >= before.cpuNanos ? cpuDelta / sysDelta * cpus * 100 : 0
        let limit = s.memoryLimit ?? Self.hostMemory()
        let memPerc = limit > 0 ? Double(s.memoryUsage) / Double(limit) * 100 : 0
        return .fields([
            "ID": id, "Container": id, "Name": r.displayName,
            "CPUPerc": String(format: "%.2f%%", cpu),
            "MemUsage": "\(Self.binary(s.memoryUsage)) / \(Self.binary(limit))",
            "MemPerc": String(format: "%.2f%%", memPerc),
            "NetIO": "\(Self.decimal(b.net.rx)) / \(Self.decimal(b.net.tx))",
            "BlockIO": "\(Self.decimal(s.blockRead)) / \(Self.decimal(s.blockWrite))",
            "PIDs": String(s.pids),
        ])
    }

    /// go-units' BytesSize: "%.4g" with binary units (1.5MiB).
    static func binary(_ v: UInt64) -> String {
        scaled(Double(v), 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], "%.4g")
    }

    /// go-units' HumanSizeWithPrecision(v, 3): decimal units (1.23kB).
    static func decimal(_ v: UInt64) -> String {
        scaled(Double(v), 1000, ["B", "kB", "MB", "GB", "TB", "PB"], "%.3g")
    }

    static func scaled(_ value: Double, _ base: Double, _ units: [String], _ fmt: String) -> String {
        var v = value
        var i = 0
        while v >= base && i < units.count - 1 {
            v /= base
            i += 1
        }
        return String(format: fmt, v) + units[i]
    }

    /// All CPU time the host has spent (the first line of /proc/stat), in nanoseconds.
    static func systemNanos() -> UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first
        else { return 0 }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { UInt64($0) }.reduce(0, +)
        let hz = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        return ticks * (1_000_000_000 / hz)
    }

    static func hostMemory() -> UInt64 {
        let text = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            let kb = line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) } ?? 0
            return kb * 1024
        }
        return 0
    }

    /// Bytes received and sent on init's interfaces other than lo (Docker counts eth0 and friends).
    static func network(pid: Int32) -> (rx: UInt64, tx: UInt64) {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/net/dev", encoding: .utf8)) ?? ""
        var rx: UInt64 = 0
        var tx: UInt64 = 0
        for line in text.split(separator: "\n").dropFirst(2) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) != "lo" else { continue }
            let f = parts[1].split(separator: " ").compactMap { UInt64($0) }
            if f.count >= 9 {
                rx += f[0]
                tx += f[8]
            }
        }
        return (rx, tx)
    }
}
