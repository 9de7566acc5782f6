#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// The directory put first on PATH for the lines the lab (or a replay) runs, whose `docker`
/// and `berth` point at the berth binary: `<run dir>/lab-bin/<hash of the binary's path>`.
/// It is made once and reused, never deleted, so a lab killed by its terminal leaves nothing
/// behind; the run dir is root's (not world-writable /tmp), so nobody else can plant a
/// `docker` there; the hash keeps two berth builds sharing a run dir apart.
enum LabBinDirectory {
    static func ensure(berth: String, run: String) throws -> String {
        // FNV-1a: a short stable name, not a security boundary.
        let hash = berth.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        let dir = run + "/lab-bin/" + String(hash, radix: 16)
        try ensureDirectory(dir, mode: 0o755)
        for name in ["docker", "berth"] {
            let link = dir + "/" + name
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == berth { continue }
            // A new link renamed over the old one: a lab starting at the same moment never sees none.
            let temp = link + ".\(getpid())"
            unlink(temp)
            guard symlink(berth, temp) == 0, rename(temp, link) == 0 else {
                throw BerthError(message: "cannot create \(link): \(String(cString: strerror(errno)))", exitCode: 125)
            }
        }
        return dir
    }
}
