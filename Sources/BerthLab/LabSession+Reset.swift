import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// Per state root and chapter: the images there when the chapter first started, and the images
/// and names the chapter's own commands added since. Saved beside the progress file; `:reset`
/// removes only what the chapter added.
struct ImageBaseline: Codable {
    /// state root → chapter → entry.
    var roots: [String: [String: Entry]] = [:]

    struct Entry: Codable {
        /// What was there at the chapter's first start: re-adding one of these (chapter 5 pulls
        /// busybox back) is not the chapter's creation.
        var ids: [String]
        var tags: [String]
        /// Image IDs and names that appeared while one of the chapter's commands ran.
        var createdIDs: [String]?
        var createdTags: [String]?
    }
}

/// Image IDs and names in the store at one moment.
struct ImageSnapshot: Equatable {
    var ids: Set<String>
    var tags: Set<String>

    init(_ paths: StatePaths) {
        let images = ImageStore(paths: paths).images()
        ids = Set(images.map(\.id.string))
        tags = Set(images.flatMap(\.repoTags))
    }
}

extension LabSession {
    /// The label `berth lab` puts on every container its commands create.
    package static let chapterLabel = "berth.lab.chapter"

    var baselinePath: String { (store.path as NSString).deletingLastPathComponent + "/lab-baseline.json" }

    func loadBaseline() -> ImageBaseline {
        guard let data = FileManager.default.contents(atPath: baselinePath),
            let b = try? JSONDecoder().decode(ImageBaseline.self, from: data)
        else { return ImageBaseline() }
        return b
    }

    func saveBaseline(_ baseline: ImageBaseline) {
        do {
            try ensureDirectory((baselinePath as NSString).deletingLastPathComponent, mode: 0o700)
            try AtomicFile.write(JSONEncoder().encode(baseline), to: baselinePath, mode: 0o600)
        } catch {
            print(message(.progressNotSaved((error as? BerthError)?.message ?? "\(error)")))
        }
    }

    func recordBaselineIfNeeded(_ lesson: Lesson) {
        var baseline = loadBaseline()
        guard baseline.roots[paths.root]?[lesson.id] == nil else { return }
        let now = ImageSnapshot(paths)
        baseline.roots[paths.root, default: [:]][lesson.id] = .init(ids: Array(now.ids), tags: Array(now.tags))
        saveBaseline(baseline)
    }

    /// Runs one of the chapter's lines through `body` and adds the images and names that
    /// appeared meanwhile (and were not there at the chapter's first start) to its record.
    func tracked<T>(_ body: () -> T) -> T {
        guard let lesson else { return body() }
        let before = ImageSnapshot(paths)
        let result = body()
        let after = ImageSnapshot(paths)
        guard after != before else { return result }
        var baseline = loadBaseline()
        guard var entry = baseline.roots[paths.root]?[lesson.id] else { return result }
        let newIDs = after.ids.subtracting(before.ids).subtracting(entry.ids)
        let newTags = after.tags.subtracting(before.tags).subtracting(entry.tags)
        guard !newIDs.isEmpty || !newTags.isEmpty else { return result }
        entry.createdIDs = Array(Set(entry.createdIDs ?? []).union(newIDs)).sorted()
        entry.createdTags = Array(Set(entry.createdTags ?? []).union(newTags)).sorted()
        baseline.roots[paths.root]?[lesson.id] = entry
        saveBaseline(baseline)
        return result
    }

    /// Removes containers labelled with the chapter, and the images and names the chapter's
    /// commands added that are still there. Anything else — other chapters', the learner's
    /// own made outside the lab — stays; an image keeps its ID while another name holds it.
    func removeChapterLeftovers(_ lesson: Lesson) -> (containers: Int, images: Int) {
        let runtime = Runtime(paths: paths)
        var containers = 0
        for record in (try? runtime.containers()) ?? [] where record.config.labels[Self.chapterLabel] == lesson.id {
            if (try? runtime.remove(record.id.rawValue, force: true, volumes: true)) != nil { containers += 1 }
        }
        var baseline = loadBaseline()
        guard var entry = baseline.roots[paths.root]?[lesson.id] else { return (containers, 0) }
        let store = ImageStore(paths: paths)
        let users = (try? runtime.imageUsers()) ?? []
        let countBefore = store.images().count
        for tag in entry.createdTags ?? [] where store.images().contains(where: { $0.repoTags.contains(tag) }) {
            _ = try? store.remove(tag, force: false, users: users)
        }
        let created = Set(entry.createdIDs ?? [])
        for image in store.images() where created.contains(image.id.string) && image.repoTags.isEmpty {
            _ = try? store.remove(image.id.string, force: true, users: users)
        }
        entry.createdIDs = nil
        entry.createdTags = nil
        baseline.roots[paths.root]?[lesson.id] = entry
        saveBaseline(baseline)
        return (containers, countBefore - store.images().count)
    }
}
