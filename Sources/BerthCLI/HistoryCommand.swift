import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// `docker history IMAGE`: one row per history step, newest first; steps that made a layer
/// show its size, config-only steps 0B. Only the top row is the image itself; the rest are
/// `<missing>`, as for any pulled image in Docker.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Show the history of an image")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Only show image IDs") var quiet = false
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output") var noTrunc = false
    @Flag(name: [.customShort("H"), .long], inversion: .prefixedNo, help: "Print sizes and dates in human readable format") var human = true
    @Option(name: .long, help: "Format output using a custom template") var format: String?
    @Argument(help: "Image") var image: String

    static let titles = ["ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT"]

    struct Row {
        var id: String
        var created: Date
        var createdBy: String
        var size: Int64
        var comment: String
    }

    /// Rows newest first. Like Docker, the IDs come from walking the image's recorded
    /// parents (a local build's steps); rows past the first image without one are `<missing>`.
    static func rows(_ image: Image, parents: (Digest) -> Digest? = { _ in nil }) -> [Row] {
        var history = image.config.history ?? []
        if history.isEmpty { history = image.layers.map { _ in HistoryEntry() } }
        var layers = image.layers.makeIterator()
        var rows: [Row] = []
        for entry in history {
            let size = entry.emptyLayer == true ? 0 : (layers.next()?.size ?? 0)
            rows.append(Row(
                id: "<missing>", created: entry.created.flatMap(RFC3339Parse.date) ?? image.created,
                createdBy: entry.createdBy ?? "", size: size, comment: entry.comment ?? ""))
        }
        rows.reverse()
        var id: Digest? = image.id
        for i in rows.indices {
            guard let current = id else { break }
            rows[i].id = current.string
            id = parents(current)
        }
        return rows
    }

    func run() throws {
        let store = ImageStore(paths: global.paths)
        let found = try store.image(image)
        let rows = Self.rows(found) { store.parent(of: $0) }
        let console = Console.current
        if quiet {
            rows.forEach { console.out(noTrunc || $0.id == "<missing>" ? $0.id : String($0.id.dropFirst(7).prefix(12))) }
            return
        }
        let template = try GoTemplate(format ?? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}")
        let rendered = try rows.map { r in
            try template.render(.fields([
                "ID": noTrunc || r.id == "<missing>" ? r.id : String(r.id.dropFirst(7).prefix(12)),
                "CreatedSince": human ? HumanDuration.string(Date().timeIntervalSince(r.created)) + " ago" : RFC3339Parse.format(r.created),
                "CreatedAt": RFC3339Parse.format(r.created),
                "CreatedBy": noTrunc ? r.createdBy : ellipsis(r.createdBy.replacingOccurrences(of: "\t", with: " "), 45),
                "Size": human ? HumanSize.string(r.size) : String(r.size), "Comment": r.comment,
            ]))
        }
        template.write(rendered, titles: Self.titles, to: console)
    }
}

/// ISO 8601 in and out for history rows (the store's RFC 3339 parser is internal to BerthImages).
enum RFC3339Parse {
    static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }

    static func format(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: d)
    }
}
