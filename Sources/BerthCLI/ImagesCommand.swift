import ArgumentParser
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// `docker images [REPOSITORY[:TAG]]`: one row per name (and one `<none>` row per unnamed image).
struct ImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "images", abstract: "List images")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .shortAndLong, help: "Show all images (default hides intermediate images)") var all = false
    @Flag(name: .shortAndLong, help: "Only show image IDs") var quiet = false
    @Flag(name: .long, help: "Show digests") var digests = false
    @Flag(name: .customLong("no-trunc"), help: "Don't truncate output") var noTrunc = false
    @Option(name: .long, help: "Format output using a custom template") var format: String?
    @Option(name: .shortAndLong, help: "Filter output based on conditions provided (reference=…, dangling=true|false)") var filter: [String] = []
    @Argument(help: "Repository[:tag]") var repository: String?

    static let titles = [
        "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST", "ID": "IMAGE ID", "CreatedSince": "CREATED",
        "CreatedAt": "CREATED AT", "Size": "SIZE",
    ]

    struct Row {
        var image: Image
        var repository: String
        var tag: String
        var digest: String
    }

    func rows(_ store: ImageStore) throws -> [Row] {
        var out: [Row] = []
        var references = filter.compactMap { f -> String? in f.hasPrefix("reference=") ? String(f.dropFirst(10)) : nil }
        if let repository { references.append(repository) }
        let dangling = filter.first { $0.hasPrefix("dangling=") }.map { $0.hasSuffix("true") }
        let children = all ? [:] : store.childrenByParent()
        for image in store.images() {
            let digestsByRepo = store.repoDigests(image.id)
            // Docker hides a build's intermediate images (untagged, with children) unless -a.
            if image.repoTags.isEmpty && !(children[image.id] ?? []).isEmpty { continue }
            if image.repoTags.isEmpty {
                out.append(Row(image: image, repository: "<none>", tag: "<none>", digest: digestsByRepo.first.map { String($0.split(separator: "@").last!) } ?? "<none>"))
                continue
            }
            for tag in image.repoTags {
                let colon = tag.lastIndex(of: ":")!
                let repo = String(tag[..<colon])
                let digest = digestsByRepo.first { $0.hasPrefix(repo + "@") }.map { String($0.split(separator: "@").last!) } ?? "<none>"
                out.append(Row(image: image, repository: repo, tag: String(tag[tag.index(after: colon)...]), digest: digest))
            }
        }
        if let dangling { out = out.filter { ($0.repository == "<none>") == dangling } }
        if !references.isEmpty {
            out = out.filter { row in references.contains { ImagesCommand.matches(row, $0) } }
        }
        return out
    }

    /// `busybox`, `busybox:latest`, `busy*` as Docker's reference filter reads them.
    static func matches(_ row: Row, _ pattern: String) -> Bool {
        let (repoPattern, tagPattern): (String, String?) = {
            if let colon = pattern.lastIndex(of: ":"), !pattern[colon...].contains("/") {
                return (String(pattern[..<colon]), String(pattern[pattern.index(after: colon)...]))
            }
            return (pattern, nil)
        }()
        let familiarPattern = (try? ImageReference(parsing: repoPattern))?.familiarName ?? repoPattern
        guard fnmatch(familiarPattern, row.repository, 0) == 0 || fnmatch(repoPattern, row.repository, 0) == 0 else { return false }
        return tagPattern.map { fnmatch($0, row.tag, 0) == 0 } ?? true
    }

    func run() throws {
        let store = ImageStore(paths: global.paths)
        let rows = try rows(store)
        let console = Console.current
        if quiet {
            var seen: Set<Digest> = []
            for r in rows where seen.insert(r.image.id).inserted { console.out(noTrunc ? r.image.id.string : r.image.id.short) }
            return
        }
        let defaultFormat = digests
            ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
            : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
        let template = try GoTemplate(format ?? defaultFormat)
        let rendered = try rows.map { r in
            try template.render(.fields([
                "Repository": r.repository, "Tag": r.tag, "Digest": r.digest,
                "ID": noTrunc ? r.image.id.string : r.image.id.short,
                "CreatedSince": HumanDuration.string(Date().timeIntervalSince(r.image.created)) + " ago",
                "CreatedAt": CreatedAt.render(r.image.created), "Size": HumanSize.string(r.image.size),
            ], type: "*formatter.ImageContext"))
        }
        template.write(rendered, titles: Self.titles, to: console)
    }
}
