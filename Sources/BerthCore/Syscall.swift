#if canImport(Glibc)
import Glibc
#endif
import SystemPackage

/// A failed system call, named so a message can say which one.
public struct SyscallError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let errno: Errno
    public init(call: String, errno: Errno) {
        self.call = call
        self.errno = errno
    }
    public var description: String { "\(call): \(errno)" }
}

/// Runs `body` until it does not fail with EINTR. Not for close(2): on Linux the fd is
/// released even when close fails.
@discardableResult
public func sys<T: FixedWidthInteger>(_ call: String, _ body: () -> T) throws(SyscallError) -> T {
    while true {
        let r = body()
        if r != -1 { return r }
        let e = Glibc.errno
        if e != EINTR { throw SyscallError(call: call, errno: Errno(rawValue: e)) }
    }
}
