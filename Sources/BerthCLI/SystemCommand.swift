import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// `docker system ...`: `df` and `info`.
struct SystemCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system", abstract: "Manage Docker", subcommands: [DfCommand.self, InfoCommand.self])

    /// `docker system df`: images (shared layers counted once), containers, reclaimable space.
    struct DfCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "df", abstract: "Show docker disk usage")
        @OptionGroup var global: GlobalOptions
        @Option(name: .long, help: "Format output using a custom template") var format: String?

        func run() throws {
            let store = ImageStore(paths: global.paths)
            let runtime = global.runtime()
            let images = store.images()
            let usedIDs = Set(try runtime.imageUsers().map(\.imageID))
            var layerSizes: [Digest: Int64] = [:]
            var usedLayers: Set<Digest> = []
            for image in images {
                for layer in image.layers {
                    layerSizes[layer.chainID] = layer.size
                    if usedIDs.contains(image.id) { usedLayers.insert(layer.chainID) }
                }
            }
            let total = layerSizes.values.reduce(0, +)
            let reclaimable = layerSizes.filter { !usedLayers.contains($0.key) }.values.reduce(0, +)
            let records = try runtime.containers()
            var containerSize: Int64 = 0
            var stoppedSize: Int64 = 0
            for r in records {
                guard let layer = try? store.containerLayer(containerID: r.id.rawValue) else { continue }
                let size = DiskUsage.bytes(layer.upperDir)
                containerSize += size
                if r.state.status != .running { stoppedSize += size }
            }
            // A volume is active while any container (running or not) references it, as in Docker.
            let volumes = try runtime.volumes()
            let users = try runtime.volumeUsers()
            var volumeSize: Int64 = 0
            var unusedVolumeSize: Int64 = 0
            for v in volumes {
                let size = v.diskUsage()
                volumeSize += size
                if users[v.name] == nil { unusedVolumeSize += size }
            }
            let rows: [TemplateValue] = [
                row("Images", images.count, images.filter { usedIDs.contains($0.id) }.count, total, reclaimable),
                row("Containers", records.count, records.filter { $0.state.status == .running }.count, containerSize, stoppedSize),
                row("Local Volumes", volumes.count, volumes.filter { users[$0.name] != nil }.count, volumeSize, unusedVolumeSize),
                row("Build Cache", 0, 0, 0, 0),
            ]
            let template = try GoTemplate(format ?? "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}")
            let titles = ["Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"]
            let rendered = try rows.map { try template.render($0) }
            if template.isTable {
                var tw = TabWriter()
                tw.add(template.header(titles))
                rendered.forEach { tw.add($0) }
                Console.current.out(tw.render())
            } else {
                rendered.forEach { Console.current.out($0) }
            }
        }

        func row(_ type: String, _ total: Int, _ active: Int, _ size: Int64, _ reclaimable: Int64) -> TemplateValue {
            let percent = size > 0 ? " (\(Int((Double(reclaimable) / Double(size) * 100).rounded()))%)" : ""
            return .fields([
                "Type": type, "TotalCount": String(total), "Active": String(active), "Size": HumanSize.string(size),
                "Reclaimable": HumanSize.string(reclaimable) + percent,
            ])
        }
    }
}
