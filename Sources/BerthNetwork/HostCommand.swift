import BerthCore
import Foundation

/// Runs a host tool (`ip`, `iptables-restore`) with an optional stdin script. Networking
/// goes through these few batch invocations rather than one process per rule.
enum HostCommand {
    @discardableResult
    static func run(_ tool: String, _ args: [String], input: String? = nil) throws -> String {
        let r = try Subprocess.run(try locate(tool), args, input: input.map { Array($0.utf8) })
        guard r.status == 0 else {
            let why = r.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            throw BerthError.internalError(
                "failed to set up container networking: \(tool): \(why)", detail: "\(args) \(input ?? "")")
        }
        return r.output
    }

    static func locate(_ tool: String) throws -> String {
        for dir in ["/usr/sbin", "/sbin", "/usr/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(tool)") {
            return "\(dir)/\(tool)"
        }
        throw BerthError.internalError("\(tool) not found: apt-get install iproute2 iptables")
    }
}
