import BerthCore
import Foundation

/// One line of Docker's json-file log.
public struct LogEntry: Codable, Sendable {
    public var log: String
    public var stream: String
    public var time: String
}

extension Runtime {
    public func logPath(_ record: ContainerRecord) -> String {
        paths.container(record.id.rawValue) + "/\(record.id.rawValue)-json.log"
    }

    /// `docker logs [-f] [--tail N] [-t]`: replays the json-file log to the console's
    /// stdout/stderr; with `follow`, keeps reading until the container stops.
    public func logs(_ ref: String, follow: Bool = false, tail: Int? = nil, timestamps: Bool = false) throws {
        let record = try container(ref)
        let console = Console.current
        let path = logPath(record)
        let decoder = JSONDecoder()
        var offset: UInt64 = 0
        var pending = Data()

        func emit(_ lines: [Data]) {
            for line in lines {
                guard let e = try? decoder.decode(LogEntry.self, from: line) else { continue }
                var bytes = Array(((timestamps ? e.time + " " : "") + e.log).utf8)
                writeAll(e.stream == "stderr" ? console.errFD : console.outFD, &bytes)
            }
        }
        func readNew() -> [Data] {
            guard let h = FileHandle(forReadingAtPath: path) else { return [] }
            defer { try? h.close() }
            try? h.seek(toOffset: offset)
            let data = h.readDataToEndOfFile()
            offset += UInt64(data.count)
            pending += data
            var lines: [Data] = []
            while let nl = pending.firstIndex(of: 0x0a) {
                lines.append(pending[pending.startIndex..<nl])
                pending = pending[(nl + 1)...]
            }
            pending = Data(pending)
            return lines
        }

        var first = readNew()
        if let tail, tail >= 0 { first = Array(first.suffix(tail)) }
        emit(first)
        guard follow else { return }
        while true {
            let current = try? container(record.id.rawValue)
            let running = current?.state.status == .running
            emit(readNew())
            if !running {
                emit(readNew())
                return
            }
            var none = pollfd()
            _ = poll(&none, 0, 100)  // the log has no change notification short of inotify; 100 ms is Docker's own follow granularity order
        }
    }
}
