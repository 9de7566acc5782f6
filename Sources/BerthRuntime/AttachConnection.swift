import BerthCore
import Foundation

/// A client connection to a monitor's attach socket. Frames use Docker's stdcopy header
/// (Documentation/Monitor.md): `[type, 0, 0, 0, len (u32 BE)]` then `len` bytes.
public final class AttachConnection: @unchecked Sendable {
    public enum Frame: Equatable {
        case stdout([UInt8])
        case stderr([UInt8])
        case exit(Int32)
    }

    enum Kind: UInt8 {
        case stdin = 0, stdout = 1, stderr = 2, exit = 3, closeStdin = 4, resize = 5
    }

    public let fd: Int32
    private var buffer: [UInt8] = []

    init(socketPath: String) throws {
        fd = try sys("socket") { socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw BerthError.internalError("attach socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let len = socklen_t(MemoryLayout<sockaddr_un>.size)
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) }
        }
        if r != 0 {
            let e = errno
            close(fd)
            throw BerthError.internalError("cannot attach: \(String(cString: strerror(e)))")
        }
    }

    deinit { close(fd) }

    func send(_ kind: Kind, _ payload: [UInt8] = []) {
        let n = UInt32(payload.count)
        var frame: [UInt8] = [kind.rawValue, 0, 0, 0, UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        frame += payload
        writeAll(fd, &frame)
    }

    public func sendStdin(_ bytes: [UInt8]) { send(.stdin, bytes) }
    public func closeStdin() { send(.closeStdin) }
    public func resize(rows: UInt16, cols: UInt16) { send(.resize, Array("\(rows) \(cols)".utf8)) }

    /// Reads what is available (blocking once) and returns the complete frames; nil at EOF.
    public func readFrames() -> [Frame]? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 65536) }
        if n < 0 && errno == EINTR { return [] }
        if n <= 0 { return nil }
        buffer += chunk[0..<n]
        var frames: [Frame] = []
        while buffer.count >= 8 {
            let len = Int(buffer[4]) << 24 | Int(buffer[5]) << 16 | Int(buffer[6]) << 8 | Int(buffer[7])
            guard buffer.count >= 8 + len else { break }
            let payload = Array(buffer[8..<(8 + len)])
            switch Kind(rawValue: buffer[0]) {
            case .stdout: frames.append(.stdout(payload))
            case .stderr: frames.append(.stderr(payload))
            case .exit: frames.append(.exit(Int32(String(decoding: payload, as: UTF8.self)) ?? 255))
            default: break
            }
            buffer.removeFirst(8 + len)
        }
        return frames
    }

    /// Reads (and drops) output until the exit frame: the code, or nil when the monitor went
    /// away without one.
    func exitCode() -> Int32? {
        while let frames = readFrames() {
            for case .exit(let code) in frames { return code }
        }
        return nil
    }
}
