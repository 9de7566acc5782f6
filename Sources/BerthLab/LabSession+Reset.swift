import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// The images (IDs and names) that were there when a chapter first started, per state root,
/// saved beside the progress file: `:reset` removes only what came after.
struct ImageBaseline: Codable {
    /// state root → chapter → what was there.
    var roots: [String: [String: Entry]] = [:]

    struct Entry: Codable {
        var ids: [String]
        var tags: [String]
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

    func recordBaselineIfNeeded(_ lesson: Lesson) {
        var baseline = loadBaseline()
        guard baseline.roots[paths.root]?[lesson.id] == nil else { return }
        let images = ImageStore(paths: paths).images()
        baseline.roots[paths.root, default: [:]][lesson.id] = .init(
            ids: images.map(\.id.string), tags: images.flatMap(\.repoTags))
        do {
            try ensureDirectory((baselinePath as NSString).deletingLastPathComponent, mode: 0o700)
            try AtomicFile.write(JSONEncoder().encode(baseline), to: baselinePath, mode: 0o600)
        } catch {
            print(message(.progressNotSaved((error as? BerthError)?.message ?? "\(error)")))
        }
    }

    /// Removes containers labelled with the chapter and images or names that were not there
    /// when the chapter first started. Anything else — other chapters', the learner's own — stays.
    func removeChapterLeftovers(_ lesson: Lesson) -> (containers: Int, images: Int) {
        let runtime = Runtime(paths: paths)
        var containers = 0
        for record in (try? runtime.containers()) ?? [] where record.config.labels[Self.chapterLabel] == lesson.id {
            if (try? runtime.remove(record.id.rawValue, force: true, volumes: true)) != nil { containers += 1 }
        }
        guard let entry = loadBaseline().roots[paths.root]?[lesson.id] else { return (containers, 0) }
        let ids = Set(entry.ids)
        let tags = Set(entry.tags)
        let store = ImageStore(paths: paths)
        var images = 0
        for image in store.images() {
            let users = (try? runtime.imageUsers()) ?? []
            if !ids.contains(image.id.string) {
                if (try? store.remove(image.id.string, force: true, users: users)) != nil { images += 1 }
            } else {
                for tag in image.repoTags where !tags.contains(tag) {
                    _ = try? store.remove(tag, force: false, users: users)
                }
            }
        }
        return (containers, images)
    }
}
