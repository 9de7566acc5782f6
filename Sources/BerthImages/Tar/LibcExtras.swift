#if canImport(Glibc)
import Glibc
#endif

/// libc functions that Swift's Glibc module does not import (`<sys/xattr.h>`, and
/// `syncfs` which needs `_GNU_SOURCE`), looked up once with dlsym.
enum LibcExtras {
    typealias FGetXattr = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias LGetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeMutableRawPointer?, Int) -> Int
    typealias LSetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias SyncFS = @convention(c) (Int32) -> Int32
    typealias FSetXattr = @convention(c) (Int32, UnsafePointer<CChar>, UnsafeRawPointer?, Int, Int32) -> Int32

    static let fgetxattr: FGetXattr? = symbol("fgetxattr")
    static let lgetxattr: LGetXattr? = symbol("lgetxattr")
    static let lsetxattr: LSetXattr? = symbol("lsetxattr")
    static let syncfs: SyncFS? = symbol("syncfs")
    static let fsetxattr: FSetXattr? = symbol("fsetxattr")

    private static func symbol<F>(_ name: String) -> F? {
        // RTLD_DEFAULT is a null handle in glibc.
        dlsym(UnsafeMutableRawPointer(bitPattern: 0), name).map { unsafeBitCast($0, to: F.self) }
    }
}
