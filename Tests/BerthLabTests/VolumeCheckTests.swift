import BerthRuntime
import Foundation
import Testing
import Yams

@testable import BerthLab

/// The `volume` check kind and `file: {volume: NAME}`, on fixture state with a real
/// directory standing in for the volume's `_data`.
@Suite("volume checks")
struct VolumeCheckTests {
    func failure(_ check: Check, _ s: FixtureState) -> CheckFailure? {
        s.checker.evaluate([check], context: CheckContext()).firstFailure
    }

    func state(mountpoint: String, users: [String] = []) -> FixtureState {
        let s = FixtureState()
        s.volumesByName["data"] = VolumeFacts(name: "data", mountpoint: mountpoint, users: users)
        s.containerList = [
            ContainerFacts(id: hexID("a"), name: "web", imageRef: "busybox", imageID: "sha256:" + hexID("b"), status: .running),
            ContainerFacts(id: hexID("c"), name: "other", imageRef: "busybox", imageID: "sha256:" + hexID("b"), status: .exited),
        ]
        return s
    }

    @Test("exists, must not exist, and used_by a container (by name)")
    func existence() {
        let s = state(mountpoint: "/nonexistent", users: [hexID("a")])
        #expect(failure(.volume(VolumeCheck(name: "data")), s) == nil)
        #expect(failure(.volume(VolumeCheck(name: "logs")), s) == .volumeMissing("logs"))
        #expect(failure(.volume(VolumeCheck(name: "logs", exists: false)), s) == nil)
        #expect(failure(.volume(VolumeCheck(name: "data", exists: false)), s) == .volumeStillPresent("data"))
        #expect(failure(.volume(VolumeCheck(name: "data", usedBy: "web")), s) == nil)
        #expect(failure(.volume(VolumeCheck(name: "data", usedBy: "other")), s) == .volumeNotMounted(volume: "data", container: "other"))
        #expect(failure(.volume(VolumeCheck(name: "data", usedBy: "ghost")), s) == .noContainer("ghost"))
        #expect(CheckFailure.volumeNotMounted(volume: "data", container: "other").text(.en)
            == "Container other does not mount the volume data.")
    }

    @Test("a file in a volume: present, absent, content; a symlink is never read through")
    func filesInVolume() throws {
        try withTemporaryDirectory { dir in
            let data = dir + "/_data"
            try FileManager.default.createDirectory(atPath: data + "/sub", withIntermediateDirectories: true)
            try "hello volume\n".write(toFile: data + "/sub/note.txt", atomically: true, encoding: .utf8)
            try "secret\n".write(toFile: dir + "/outside.txt", atomically: true, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: data + "/escape", withDestinationPath: "../outside.txt")
            let s = state(mountpoint: data)
            #expect(failure(.file(FileCheck(location: .volume("data"), path: "/sub/note.txt", contains: "hello")), s) == nil)
            #expect(failure(.file(FileCheck(location: .volume("data"), path: "/sub/note.txt", contains: "bye")), s)
                == .fileContent(place: .volume("data"), path: "/sub/note.txt", missing: "bye"))
            #expect(failure(.file(FileCheck(location: .volume("data"), path: "/gone")), s)
                == .fileMissing(place: .volume("data"), path: "/gone"))
            #expect(failure(.file(FileCheck(location: .volume("data"), path: "/gone", exists: false)), s) == nil)
            // The link exists, but it is never read through (its target is outside the volume).
            #expect(failure(.file(FileCheck(location: .volume("data"), path: "/escape")), s) == nil)
            #expect(failure(.file(FileCheck(location: .volume("data"), path: "/escape", contains: "secret")), s)
                == .fileContent(place: .volume("data"), path: "/escape", missing: "secret"))
            #expect(failure(.file(FileCheck(location: .volume("nope"), path: "/x")), s) == .volumeMissing("nope"))
        }
    }

    @Test("the YAML spellings load")
    func loads() throws {
        let yaml = """
            - volume: data
            - volume: {name: data, used_by: web}
            - volume: {name: old, exists: false}
            - file: {volume: data, path: /note.txt, contains: hi}
            """
        let node = try #require(try Yams.compose(yaml: yaml))
        guard case .sequence(let items) = node else { Issue.record("not a sequence"); return }
        let reader = YAMLReader(file: "test.yaml")
        let checks = try items.enumerated().map { try reader.check($1, "checks[\($0)]") }
        #expect(checks == [
            .volume(VolumeCheck(name: "data")), .volume(VolumeCheck(name: "data", usedBy: "web")),
            .volume(VolumeCheck(name: "old", exists: false)),
            .file(FileCheck(location: .volume("data"), path: "/note.txt", contains: "hi")),
        ])
    }
}
