import Foundation

/// Where everything lives. `/var/lib/berth` and `/run/berth` by default; `--root`,
/// `BERTH_ROOT` and `BERTH_RUN` move them (every test does).
public struct StatePaths: Sendable, Equatable {
    public let root: String
    public let run: String

    public init(root: String, run: String) {
        self.root = root
        self.run = run
    }

    /// Reads the environment once; an explicit `--root` wins over `BERTH_ROOT`.
    public static func fromEnvironment(root explicitRoot: String? = nil) -> StatePaths {
        let env = ProcessInfo.processInfo.environment
        let root = explicitRoot ?? env["BERTH_ROOT"] ?? "/var/lib/berth"
        let run = env["BERTH_RUN"] ?? (explicitRoot == nil ? "/run/berth" : root + "/.run")
        return StatePaths(root: absolute(root), run: absolute(run))
    }

    private static func absolute(_ p: String) -> String {
        p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
    }

    public var lockFile: String { root + "/berth.lock" }
    public var imageRoot: String { root + "/image/overlay2" }
    public var imageDB: String { imageRoot + "/imagedb/content/sha256" }
    public var imageMetadata: String { imageRoot + "/imagedb/metadata/sha256" }
    public var layerDB: String { imageRoot + "/layerdb/sha256" }
    public var repositories: String { imageRoot + "/repositories.json" }
    public var overlay: String { root + "/overlay2" }
    public var overlayLinks: String { overlay + "/l" }
    public var containers: String { root + "/containers" }
    public var network: String { root + "/network" }
    public var tmp: String { root + "/tmp" }

    public func container(_ id: String) -> String { containers + "/" + id }
    public func containerRun(_ id: String) -> String { run + "/" + id }
}
