#if canImport(Glibc)
import Glibc
#endif

/// A container's 64-hex ID; shown as 12 characters, like Docker's.
public struct ContainerID: Hashable, Codable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard rawValue.count == 64, rawValue.allSatisfy(\.isHexDigit) else { return nil }
        self.rawValue = rawValue
    }

    /// 32 random bytes from the kernel, as Docker does; retried when all-numeric, since
    /// Docker avoids IDs that a shell or a YAML parser could read as a number.
    public static func random() -> ContainerID {
        while true {
            var rng = SystemRandomNumberGenerator()  // getrandom(2) on Linux
            let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let hex = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            if hex.prefix(12).allSatisfy(\.isNumber) { continue }
            return ContainerID(rawValue: hex)!
        }
    }

    public var short: String { String(rawValue.prefix(12)) }
    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let id = ContainerID(rawValue: s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad ID \(s)"))
        }
        self = id
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

extension String {
    public func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
