import BerthCore
import Foundation

/// The built `berth` binary, run as a user would, against a state root of the test's own.
public struct BerthProcess: Sendable {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        public var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        public var trimmed: String { stdout.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    public let paths: StatePaths

    /// `berth` beside the test bundle (`swift build` puts both in the same bin dir).
    public static var binary: String {
        if let p = ProcessInfo.processInfo.environment["BERTH_BIN"] { return p }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = (exe as NSString).deletingLastPathComponent
        // The runner may live inside `X.xctest/` or beside it.
        while !dir.isEmpty && dir != "/" {
            let candidate = dir + "/berth"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return ".build/debug/berth"
    }

    public var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["BERTH_ROOT"] = paths.root
        env["BERTH_RUN"] = paths.run
        return env
    }

    /// Runs `berth ARGS...` to completion, with stdin from `input` (or /dev/null).
    @discardableResult
    public func run(_ args: String..., input: String? = nil) throws -> Result {
        try run(args, input: input)
    }

    @discardableResult
    public func run(_ args: [String], input: String? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        p.environment = environment
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
        // Read both pipes concurrently so a chatty command cannot fill one and block.
        let errData = LockedBox(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData.value = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

/// A value shared with one background reader; the group's wait orders the accesses.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ v: T) { _value = v }
    var value: T {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
