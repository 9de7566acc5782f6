#if canImport(Glibc)
import Glibc
#endif

/// Just enough of an ELF header to tell a static executable from a dynamic one and to
/// name its architecture the way image configs do.
struct ELFFile {
    /// `e_machine`.
    let machine: UInt16
    /// True when the program has a `PT_INTERP` header: it needs a dynamic loader and libc
    /// that a one-binary image does not have.
    let isDynamic: Bool

    /// Reads the header of `path`; nil when it is not a readable ELF file.
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        func bytes(_ offset: Int, _ count: Int) -> [UInt8]? {
            var b = [UInt8](repeating: 0, count: count)
            let n = b.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, off_t(offset)) }
            return n == count ? b : nil
        }
        // "\x7fELF", little-endian only (every architecture berth runs on).
        guard let ident = bytes(0, 64), ident[0..<4] == [0x7f, 0x45, 0x4c, 0x46], ident[5] == 1 else { return nil }
        func u16(_ b: [UInt8], _ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ b: [UInt8], _ o: Int) -> Int { u16(b, o) | u16(b, o + 2) << 16 }
        func u64(_ b: [UInt8], _ o: Int) -> Int { u32(b, o) | u32(b, o + 4) << 32 }
        let is64 = ident[4] == 2
        machine = UInt16(u16(ident, 18))
        let phoff = is64 ? u64(ident, 32) : u32(ident, 28)
        let phentsize = u16(ident, is64 ? 54 : 42)
        let phnum = u16(ident, is64 ? 56 : 44)
        guard phentsize >= 4, phnum < 4096 else { return nil }
        var dynamic = false
        for i in 0..<phnum {
            guard let ph = bytes(phoff + i * phentsize, 4) else { return nil }
            if u32(ph, 0) == 3 { dynamic = true }  // PT_INTERP
        }
        isDynamic = dynamic
    }

    /// GOARCH-style names, as image configs spell `architecture` (and `variant` for arm).
    var architecture: (name: String, variant: String?)? {
        switch machine {
        case 62: ("amd64", nil)
        case 183: ("arm64", nil)
        case 3: ("386", nil)
        case 40: ("arm", "v7")
        case 21: ("ppc64le", nil)
        case 22: ("s390x", nil)
        case 243: ("riscv64", nil)
        default: nil
        }
    }
}
