import ArgumentParser
import BerthCore
import BerthImages
import Foundation

/// `docker load [-i FILE]`: docker-save archives and OCI image layouts, plain or compressed.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Load an image from a tar archive or STDIN")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Read from tar archive file, instead of STDIN") var input: String?
    @Flag(name: .shortAndLong, help: "Suppress the load output") var quiet = false

    func run() throws {
        let store = ImageStore(paths: global.paths)
        let console = Console.current
        let lines = try InputFile.withSeekable(input, paths: global.paths) { fd in
            try store.load(file: fd) { line in if !quiet { console.out(line) } }
        }
        lines.forEach { console.out($0) }
    }
}

/// Archives are read twice (compression sniffing, random access), so standard input or a
/// pipe is first copied to a file under the state root's `tmp/`.
enum InputFile {
    static func withSeekable<T>(_ path: String?, paths: StatePaths, _ body: (Int32) throws -> T) throws -> T {
        if let path, path != "-" {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw BerthError(message: "open \(path): \(String(cString: strerror(errno)).lowercased())", exitCode: 1)
            }
            defer { close(fd) }
            if lseek(fd, 0, SEEK_CUR) >= 0 { return try body(fd) }
            return try copied(fd, paths: paths, body)
        }
        let console = Console.current
        if console.stdinIsTerminal {
            throw BerthError(message: "requested load from stdin, but stdin is empty", exitCode: 1)
        }
        return try copied(console.inFD, paths: paths, body)
    }

    private static func copied<T>(_ source: Int32, paths: StatePaths, _ body: (Int32) throws -> T) throws -> T {
        try ensureDirectory(paths.tmp)
        let tmp = paths.tmp + "/stdin-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BerthError.internalError("cannot create \(tmp)", detail: String(cString: strerror(errno))) }
        unlink(tmp)
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(source, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var chunk = Array(buf[..<n])
            writeAll(fd, &chunk)
        }
        return try body(fd)
    }
}
