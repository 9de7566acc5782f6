import BerthCore
import Foundation

/// A seccomp profile in Docker's JSON format (`profiles/seccomp/default.json`), so that
/// `--security-opt seccomp=FILE` takes the same files Docker takes. Unknown keys are ignored.
public struct SeccompProfile: Codable, Sendable, Equatable {
    public var defaultAction: String
    public var defaultErrnoRet: UInt32?
    /// Either `architectures` (explicit) or `archMap` (native → its sub-architectures).
    public var architectures: [String]?
    public var archMap: [ArchMap]?
    public var syscalls: [Rule]

    public struct ArchMap: Codable, Sendable, Equatable {
        public var architecture: String
        public var subArchitectures: [String]?
    }

    public struct Rule: Codable, Sendable, Equatable {
        public var names: [String]?
        /// The old single-name form.
        public var name: String?
        public var action: String
        public var errnoRet: UInt32?
        public var args: [Arg]?
        public var comment: String?
        public var includes: Filter?
        public var excludes: Filter?

        public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [Arg]? = nil,
                    comment: String? = nil, includes: Filter? = nil, excludes: Filter? = nil) {
            self.names = names
            self.action = action
            self.errnoRet = errnoRet
            self.args = args
            self.comment = comment
            self.includes = includes
            self.excludes = excludes
        }

        var allNames: [String] { (names ?? []) + (name.map { [$0] } ?? []) }
    }

    public struct Arg: Codable, Sendable, Equatable {
        public var index: UInt32
        public var value: UInt64
        public var valueTwo: UInt64?
        public var op: String

        public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
            self.index = index
            self.value = value
            self.valueTwo = valueTwo
            self.op = op
        }
    }

    /// A rule applies only when the container has all `caps` (includes) or none (excludes),
    /// runs on one of `arches` (Go's names: amd64, arm64, ...) and on at least `minKernel`.
    public struct Filter: Codable, Sendable, Equatable {
        public var caps: [String]?
        public var arches: [String]?
        public var minKernel: String?

        public init(caps: [String]? = nil, arches: [String]? = nil, minKernel: String? = nil) {
            self.caps = caps
            self.arches = arches
            self.minKernel = minKernel
        }
    }

    public init(defaultAction: String, defaultErrnoRet: UInt32?, archMap: [ArchMap]?, syscalls: [Rule]) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.archMap = archMap
        self.syscalls = syscalls
    }

    /// Parses a profile as Docker does, with its error wording.
    public static func parse(_ data: Data) throws -> SeccompProfile {
        do {
            return try JSONDecoder().decode(SeccompProfile.self, from: data)
        } catch {
            throw BerthError.daemon("Decoding seccomp profile failed: \(error)", exitCode: 125)
        }
    }

    /// Pretty JSON with stable key order (tab-indented like Docker's file is not needed).
    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}
