#if canImport(Glibc)
import Glibc
#endif
import BerthCore

/// Runs a host program to ask it something (a package version, busybox's applet list), or
/// to build something (debootstrap), with `LC_ALL=C` so the answer is the same for everyone.
enum HostCommand {
    /// The program's standard output, or nil when it cannot run or exits non-zero.
    static func output(_ executable: String, _ arguments: [String]) -> String? {
        guard let r = try? Subprocess.run(executable, arguments, environment: ["LC_ALL=C"]), r.status == 0 else {
            return nil
        }
        return r.output
    }

    /// Runs a program (its chatter discarded) and returns its exit status, or -1 when it
    /// cannot run. PATH is the usual one.
    static func status(_ executable: String, _ arguments: [String]) -> Int32 {
        let env = ["LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        return (try? Subprocess.run(executable, arguments, environment: env))?.status ?? -1
    }
}
