import CBerth
import Foundation

/// Runs `berth ARGS` on the slave side of a fresh PTY, as a terminal user would.
public final class PseudoTerminal: @unchecked Sendable {
    let process = Process()
    let master: FileHandle
    private let lock = NSLock()
    private var screen = ""

    public init(_ berth: BerthProcess, _ args: [String]) throws {
        var m: Int32 = -1
        var slave: Int32 = -1
        guard berth_openpty(&m, &slave) == 0 else { throw POSIXError(.EIO) }
        master = FileHandle(fileDescriptor: m, closeOnDealloc: true)
        let slaveHandle = FileHandle(fileDescriptor: slave, closeOnDealloc: true)
        process.executableURL = URL(fileURLWithPath: BerthProcess.binary)
        process.arguments = args
        process.environment = berth.environment
        process.standardInput = slaveHandle
        process.standardOutput = slaveHandle
        process.standardError = slaveHandle
        try process.run()
        try? slaveHandle.close()
        master.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.withLock { self.screen += String(decoding: d, as: UTF8.self) }
        }
    }

    public func type(_ text: String) { master.write(Data(text.utf8)) }

    public var output: String { lock.withLock { screen } }

    /// Waits until `text` has been printed (or 10 s pass).
    public func waitFor(_ text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.contains(text) { return true }
            usleep(10_000)
        }
        return false
    }

    /// Waits for the command to exit (10 s at most) and returns its status, or -1.
    public func waitForExit(timeout: Double = 10) -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            return -1
        }
        master.readabilityHandler = nil
        return process.terminationStatus
    }
}
