import BerthCore
import Foundation

/// Runs a host tool (`ip`, `iptables-restore`) with an optional stdin script. Networking
/// goes through these few batch invocations rather than one process per rule.
enum HostCommand {
    @discardableResult
    static func run(_ tool: String, _ args: [String], input: String? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try locate(tool))
        p.arguments = args
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let inPipe = Pipe()
        p.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try p.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inPipe.fileHandleForWriting.close()
        }
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let why = String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw BerthError.internalError(
                "failed to set up container networking: \(tool): \(why)", detail: "\(args) \(input ?? "")")
        }
        return String(decoding: outData, as: UTF8.self)
    }

    static func locate(_ tool: String) throws -> String {
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        throw BerthError.internalError("\(tool) not found: apt-get install iproute2 iptables")
    }
}
