import BerthCore
import Foundation
import Testing

@testable import BerthLab

/// The checked-in `Lessons/` folder, found from this file's path.
let lessonsRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Lessons").path
}()

/// A state snapshot made up in the test: the checker's logic without a runtime. The real
/// state is covered by `CheckerStateTests` (root).
final class FixtureState: LabStateReader, @unchecked Sendable {
    var stateRoot = "/var/lib/berth"
    var containerList: [ContainerFacts] = []
    var detailsByID: [String: ContainerDetails] = [:]
    var imagesByRef: [String: ImageFacts] = [:]
    var execAnswer: (Int32, String) = (0, "")
    var volumesByName: [String: VolumeFacts] = [:]

    func containers() throws -> [ContainerFacts] { containerList }
    func details(of container: ContainerFacts) throws -> ContainerDetails { detailsByID[container.id] ?? ContainerDetails() }
    func image(_ ref: String) throws -> ImageFacts? { imagesByRef[canonical(ref)] }
    func volume(_ name: String) throws -> VolumeFacts? { volumesByName[name] }
    func exec(in container: ContainerFacts, _ argv: [String]) throws -> (status: Int32, stdout: String) { execAnswer }

    func addImage(_ ref: String, id: String, layers: [LayerFacts] = []) {
        imagesByRef[canonical(ref)] = ImageFacts(id: id, repoTags: [ref], layers: layers)
    }

    var checker: Checker { Checker { self } }
}

func hexID(_ seed: Character) -> String { String(repeating: seed, count: 64) }

/// A temporary directory removed when `body` returns.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let dir = NSTemporaryDirectory() + "berth-lab-test-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try body(dir)
}

/// Every check in a list, with `any_of` opened up.
func flatten(_ checks: [Check]) -> [Check] {
    checks.flatMap { check -> [Check] in
        if case .anyOf(let inner) = check { return [check] + flatten(inner) }
        return [check]
    }
}
