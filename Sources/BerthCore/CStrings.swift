#if canImport(Glibc)
import Glibc
#endif

/// Calls `body` with a NULL-terminated `char *[]` of copies of `strings` that live for the
/// call: argv and envp for posix_spawn, lists for the C shim.
public func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    let pointers = strings.map { strdup($0) } + [nil]
    defer { pointers.forEach { free($0) } }
    return body(pointers)
}
