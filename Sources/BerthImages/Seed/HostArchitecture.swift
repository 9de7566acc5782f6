#if canImport(Glibc)
import Glibc
#endif

/// The host's CPU architecture in GOARCH spelling, as image configs write it.
package enum HostArchitecture {
    package static var current: String {
        var u = utsname()
        uname(&u)
        let machine = withUnsafeBytes(of: &u.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        switch machine {
        case "x86_64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        case "i386", "i486", "i586", "i686": return "386"
        case let m where m.hasPrefix("arm"): return "arm"
        default: return machine
        }
    }
}
