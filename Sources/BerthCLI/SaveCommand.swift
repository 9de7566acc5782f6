import ArgumentParser
import BerthCore
import BerthImages
import Foundation

/// `docker save [-o FILE] IMAGE...`: a docker-save archive that is also an OCI image layout.
struct SaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save", abstract: "Save one or more images to a tar archive (streamed to STDOUT by default)")

    @OptionGroup var global: GlobalOptions
    @Option(name: .shortAndLong, help: "Write to a file, instead of STDOUT") var output: String?
    @Argument(help: "Images") var images: [String] = []

    func validate() throws {
        if images.isEmpty { throw ValidationError("\"docker save\" requires at least 1 argument.") }
    }

    func run() throws {
        let store = ImageStore(paths: global.paths)
        try OutputFile.write(output, what: "save") { fd in try store.save(images, to: fd) }
    }
}

/// Where `save` and `export` write: a file made whole (temp + rename, so a failure leaves no
/// half archive), or standard output when it is not a terminal.
enum OutputFile {
    static func write(_ path: String?, what: String, _ body: (Int32) throws -> Void) throws {
        guard let path else {
            let console = Console.current
            guard !console.stdoutIsTerminal else {
                throw BerthError(message: "cowardly refusing to save to a terminal. Use the -o flag or redirect", exitCode: 1)
            }
            try body(console.outFD)
            return
        }
        let tmp = path + ".berth-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw BerthError(message: "failed to \(what): open \(path): \(String(cString: strerror(errno)))", exitCode: 1)
        }
        do {
            try body(fd)
            fsync(fd)
            close(fd)
            guard rename(tmp, path) == 0 else { throw BerthError.internalError("cannot write \(path)", detail: String(cString: strerror(errno))) }
        } catch {
            close(fd)
            unlink(tmp)
            throw error
        }
    }
}
