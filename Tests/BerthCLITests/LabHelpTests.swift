import BerthCore
import Foundation
import Testing

@testable import BerthCLI

/// The lab is Berth's own command: its help and usage errors say `berth lab`, never `docker lab`.
@Suite struct LabHelpTests {
    /// What `berth ARGV` prints on stdout and stderr, and its exit code.
    func execute(_ argv: [String]) -> (out: String, err: String, code: Int32) {
        let out = Pipe(), err = Pipe()
        let code = BerthCommand.execute(
            argv, console: Console(outFD: out.fileHandleForWriting.fileDescriptor, errFD: err.fileHandleForWriting.fileDescriptor))
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        return (String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), code)
    }

    @Test("every lab subcommand's --help names berth lab", arguments: [
        "open", "list", "status", "check", "record", "play", "replay", "export", "grade",
    ])
    func subcommandHelp(_ name: String) {
        let (out, _, code) = execute(["lab", name, "--help"])
        #expect(code == 0)
        #expect(out.contains("USAGE: berth lab \(name) "))
        #expect(!out.contains("docker lab"))
        #expect(execute(["help", "lab", name]).out.contains("USAGE: berth lab \(name) "))
    }

    @Test("a lab usage error names berth lab; Docker's commands still say docker")
    func usageErrors() {
        let (_, err, code) = execute(["lab", "replay", "--bogus", "x.cast"])
        #expect(code == 125)
        #expect(err.contains("Unknown option '--bogus'"))
        #expect(err.contains("Usage: berth lab replay ["))
        #expect(err.contains("berth lab replay --help"))
        #expect(!err.contains("docker lab"))
        #expect(execute(["ps", "--help"]).out.contains("USAGE: docker ps"))
    }
}
