import BerthCore
import Foundation

/// `-v HOSTDIR:CDIR[:ro|rw]`, a bind mount of a host path.
public struct BindMount: Sendable, Equatable {
    public var source: String
    public var destination: String
    public var readOnly: Bool

    public var spec: String { "\(source):\(destination)" + (readOnly ? ":ro" : "") }

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw BerthError(message: "invalid volume specification: '\(text)'", exitCode: 125)
        }
        guard parts[0].hasPrefix("/") else {
            throw BerthError(
                message: "invalid volume specification: '\(text)': named volumes are not supported yet; "
                    + "use an absolute host path", exitCode: 125)
        }
        guard parts[1].hasPrefix("/") else {
            throw BerthError(
                message: "invalid volume specification: '\(text)': invalid mount config for type \"bind\": "
                    + "invalid mount path: '\(parts[1])' mount path must be absolute", exitCode: 125)
        }
        var ro = false
        if parts.count == 3 {
            switch parts[2] {
            case "ro": ro = true
            case "rw": ro = false
            default: throw BerthError(message: "invalid mode: \(parts[2])", exitCode: 125)
            }
        }
        source = (parts[0] as NSString).standardizingPath
        destination = parts[1]
        readOnly = ro
    }
}
