import Foundation

/// ADD unpacks what Docker's archive detection accepts: tar, plain or compressed.
enum Archive {
    static func isArchive(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
        if head.starts(with: [0x1f, 0x8b]) || head.starts(with: Array("BZh".utf8))
            || head.starts(with: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) || head.starts(with: [0x28, 0xb5, 0x2f, 0xfd])
        {
            return true
        }
        return head.count >= 262 && Array(head[257..<262]) == Array("ustar".utf8)
    }
}
