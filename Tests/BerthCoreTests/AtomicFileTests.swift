import BerthCore
import Foundation
import Testing

struct AtomicFileTests {
    @Test("atomic writes replace the file whole and leave no temp files")
    func replaces() throws {
        let dir = NSTemporaryDirectory() + "atomic-" + UUID().uuidString
        try ensureDirectory(dir)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("one", to: dir + "/f")
        try AtomicFile.write("two", to: dir + "/f")
        #expect(try String(contentsOfFile: dir + "/f", encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f"])
    }

    @Test("a failed write leaves the old file")
    func failedWrite() throws {
        #expect(throws: SyscallError.self) { try AtomicFile.write("x", to: "/nonexistent-dir/f") }
    }
}
