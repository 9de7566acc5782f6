import Foundation
import Testing

@testable import BerthLab

@Suite struct LabBinDirectoryTests {
    @Test("one directory per berth binary under the run dir, made once, links renewed in place")
    func stableAndShared() throws {
        let run = NSTemporaryDirectory() + "berth-lab-bin-test-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: run) }
        let a = try LabBinDirectory.ensure(berth: "/opt/a/berth", run: run)
        #expect(a.hasPrefix(run + "/lab-bin/"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: a + "/docker") == "/opt/a/berth")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: a + "/berth") == "/opt/a/berth")
        #expect(try LabBinDirectory.ensure(berth: "/opt/a/berth", run: run) == a)  // reused: nothing to clean up
        let b = try LabBinDirectory.ensure(berth: "/opt/b/berth", run: run)
        #expect(b != a)
        // A stale link (a binary moved) is replaced, and no temporary link is left.
        try FileManager.default.removeItem(atPath: a + "/docker")
        try FileManager.default.createSymbolicLink(atPath: a + "/docker", withDestinationPath: "/old/berth")
        _ = try LabBinDirectory.ensure(berth: "/opt/a/berth", run: run)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: a + "/docker") == "/opt/a/berth")
        #expect(try FileManager.default.contentsOfDirectory(atPath: a).sorted() == ["berth", "docker"])
    }
}
