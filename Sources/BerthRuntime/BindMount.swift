import BerthCore
import Foundation

/// `-v HOSTDIR:CDIR[:ro|rw]`, a bind mount of a host path.
public struct BindMount: Sendable, Equatable {
    public var source: String
    public var destination: String
    public var readOnly: Bool

    public var spec: String { "\(source):\(destination)" + (readOnly ? ":ro" : "") }

    public init(source: String, destination: String, readOnly: Bool) {
        self.source = source
        self.destination = destination
        self.readOnly = readOnly
    }

    /// A `-v` text that must be a bind (records written before volumes existed hold only these).
    public init(parsing text: String) throws {
        guard case .bind(let bind) = try MountSpec(parsing: text) else { throw BerthError.invalidVolumeSpec(text) }
        self = bind
    }
}

/// One `-v` as Docker's CLI reads it: `/host:/ctr[:mode]` binds a host path,
/// `name:/ctr[:mode]` mounts a named volume (created when missing), `/ctr` alone mounts a
/// new anonymous volume.
public enum MountSpec: Sendable, Equatable {
    case bind(BindMount)
    case volume(name: String, destination: String, readOnly: Bool, copyData: Bool)
    case anonymous(destination: String)

    public var destination: String {
        switch self {
        case .bind(let b): b.destination
        case .volume(_, let d, _, _): d
        case .anonymous(let d): d
        }
    }

    public init(parsing text: String) throws {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), !parts.contains(where: \.isEmpty) else {
            throw BerthError.invalidVolumeSpec(text)
        }
        if parts.count == 1 {
            guard parts[0].hasPrefix("/") else { throw BerthError.invalidMountPath(text, type: "volume", path: parts[0]) }
            self = .anonymous(destination: try MountSpec.destination(parts[0], spec: text, type: "volume"))
            return
        }
        // `/data:ro` is a destination with a mode: volumes cannot carry one without a source.
        if parts.count == 2, MountSpec.modes.contains(parts[1]) { throw BerthError.invalidVolumeSpec(text) }
        let isBind = parts[0].hasPrefix("/")
        let type = isBind ? "bind" : "volume"
        guard parts[1].hasPrefix("/") else { throw BerthError.invalidMountPath(text, type: type, path: parts[1]) }
        let destination = try MountSpec.destination(parts[1], spec: text, type: type)
        var readOnly = false
        var copyData = true
        if parts.count == 3 {
            for mode in parts[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard MountSpec.modes.contains(mode), isBind ? mode != "nocopy" : true else {
                    throw BerthError(message: "invalid mode: \(parts[2])", exitCode: 125)
                }
                if mode == "ro" { readOnly = true }
                if mode == "nocopy" { copyData = false }
            }
        }
        if isBind {
            self = .bind(BindMount(
                source: (parts[0] as NSString).standardizingPath, destination: destination, readOnly: readOnly))
        } else {
            try VolumeName.validate(parts[0], exitCode: 125)
            self = .volume(name: parts[0], destination: destination, readOnly: readOnly, copyData: copyData)
        }
    }

    /// Modes Docker accepts after the second colon (SELinux labels `z`/`Z` are accepted and
    /// have no effect here, as on a host without SELinux).
    static let modes: Set<String> = ["ro", "rw", "z", "Z", "nocopy"]

    /// Cleaned like Go's `filepath.Clean`; `/` itself cannot be a mount point.
    static func destination(_ path: String, spec: String, type: String) throws -> String {
        let clean = (path as NSString).standardizingPath
        guard clean != "/" else {
            throw BerthError(
                message: "invalid volume specification: '\(spec)': invalid mount config for type \"\(type)\": "
                    + "invalid specification: destination can't be '/'", exitCode: 125)
        }
        return clean
    }
}
