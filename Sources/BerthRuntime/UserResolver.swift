import BerthCore
import BerthImages
import Foundation

/// `--user name|uid[:group|gid]` against the container's own `/etc/passwd` and
/// `/etc/group` (its upper layer first, then the image), as runc resolves it.
struct UserResolver {
    let images: ImageStore
    let containerID: String

    struct Identity: Equatable {
        var uid: UInt32
        var gid: UInt32
        var groups: [UInt32]
        /// The passwd entry's home directory; "/" for a user passwd does not list.
        var home: String

        /// runc sets HOME from the user's entry when the environment has none.
        func environment(_ env: [String]) -> [String] {
            env.contains { $0.hasPrefix("HOME=") } ? env : env + ["HOME=" + home]
        }
    }

    func resolve(_ spec: String) throws -> Identity {
        // No --user is uid 0, with the supplementary groups /etc/group gives root (busybox:
        // wheel), as runc computes them for Docker.
        let spec = spec.isEmpty ? "0" : spec
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        let passwd = readTable("/etc/passwd")
        let group = readTable("/etc/group")
        var uid: UInt32
        var gid: UInt32
        var userName: String?
        var home = "/"
        if let n = UInt32(parts[0]) {
            uid = n
            let entry = passwd.first { $0.count > 3 && UInt32($0[2]) == n }
            gid = entry.flatMap { UInt32($0[3]) } ?? 0
            userName = entry?[0]
            if let entry, entry.count > 5 { home = entry[5] }
        } else {
            guard let entry = passwd.first(where: { $0.first == parts[0] }), entry.count > 3,
                let u = UInt32(entry[2]), let g = UInt32(entry[3])
            else {
                throw BerthError.daemon(
                    "unable to find user \(parts[0]): no matching entries in passwd file", exitCode: 126)
            }
            uid = u
            gid = g
            userName = parts[0]
            if entry.count > 5 { home = entry[5] }
        }
        if parts.count == 2 {
            if let g = UInt32(parts[1]) {
                gid = g
            } else {
                guard let entry = group.first(where: { $0.first == parts[1] }), entry.count > 2, let g = UInt32(entry[2]) else {
                    throw BerthError.daemon(
                        "unable to find group \(parts[1]): no matching entries in group file", exitCode: 126)
                }
                gid = g
            }
        }
        // The primary group first, then the user's memberships (runc's Sgids, so `id` in
        // busybox prints groups=0(root),10(wheel) as under Docker). runc looks memberships up
        // only for the implicit form: `-u root:daemon` has the group it names and no other.
        var supplementary: [UInt32] = [gid]
        if let userName, parts.count == 1 {
            for g in group where g.count > 3 {
                if g[3].split(separator: ",").contains(Substring(userName)), let id = UInt32(g[2]), id != gid {
                    supplementary.append(id)
                }
            }
        }
        return Identity(uid: uid, gid: gid, groups: supplementary, home: home)
    }

    /// Colon-separated rows of a file in the container (upper layer first, then the image).
    func readTable(_ path: String) -> [[String]] {
        guard let file = try? images.lookupFile(path, containerID: containerID),
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) }
    }
}
