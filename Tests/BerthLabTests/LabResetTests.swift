import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthLab

@Suite("Lab :reset", .tags(.root), .enabled(if: isRoot, "needs root: real containers"), .serialized)
struct LabResetTests {
    func tags(_ berth: BerthRunner) throws -> Set<String> {
        let r = try berth.run(["images", "--format", "{{.Repository}}:{{.Tag}}"])
        return Set(r.stdout.split(separator: "\n").map(String.init))
    }

    /// `:reset` removes the chapter's containers and the names and images its commands added;
    /// names made outside the lab and by another chapter survive.
    @Test func resetRemovesOnlyWhatTheChapterMade() throws {
        try BerthRunner.withStateRoot { berth in
            try withTemporaryDirectory { dir in
                #expect(try berth.run(["pull", "busybox"]).status == 0)
                #expect(try berth.run(["tag", "busybox", "outside:1"]).status == 0)
                var printed: [String] = []
                let (session, _) = try realSession(berth, progressIn: dir) { printed.append($0) }
                session.start("1")
                session.run("docker tag busybox mybox:v1")
                session.start("2")
                session.run("docker tag busybox two:1")
                session.run("docker run --name c2 busybox sh -c 'echo x > /made'")
                session.run("docker commit c2 committed:1")
                #expect(try tags(berth).isSuperset(of: ["outside:1", "mybox:v1", "two:1", "committed:1", "busybox:latest"]))

                session.runLabCommand(":reset")
                var now = try tags(berth)
                #expect(!now.contains("two:1") && !now.contains("committed:1"), "\(now)")
                #expect(now.isSuperset(of: ["outside:1", "mybox:v1", "busybox:latest"]), "\(now)")
                #expect(try berth.run(["ps", "-a", "-q"]).stdout.isEmpty)
                #expect(printed.contains { $0.contains("02-containers") && $0.contains("1 container") && $0.contains("1 image") },
                        "\(printed)")

                session.start("1")
                session.runLabCommand(":reset")
                now = try tags(berth)
                #expect(!now.contains("mybox:v1"), "\(now)")
                #expect(now.isSuperset(of: ["outside:1", "busybox:latest"]), "\(now)")
            }
        }
    }
}
