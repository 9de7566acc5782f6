#if canImport(Glibc)
import Glibc
#endif

/// The current errno as text, for `BerthError.detail`.
func errnoText() -> String { String(cString: strerror(errno)) }

extension Array where Element == UInt8 {
    /// NUL-terminated copy of a byte name, for a C call.
    var cString: [CChar] { map { CChar(bitPattern: $0) } + [0] }
}
