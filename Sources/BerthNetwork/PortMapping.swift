import BerthCore

/// One `-p` request: `[IP:][HOST:]CONTAINER[/PROTO]`, where HOST may be empty or a range
/// is not supported. Host port 0 (or none) means "pick a free ephemeral port".
public struct PortMapping: Codable, Sendable, Equatable, Hashable {
    public var hostIP: String
    public var hostPort: UInt16
    public var containerPort: UInt16
    public var proto: String

    enum CodingKeys: String, CodingKey {
        case hostIP = "HostIp", hostPort = "HostPort", containerPort = "ContainerPort", proto = "Proto"
    }

    public init(hostIP: String = "", hostPort: UInt16 = 0, containerPort: UInt16, proto: String = "tcp") {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.proto = proto
    }

    /// "80/tcp", the key Docker uses in `Ports` and `ExposedPorts`.
    public var key: String { "\(containerPort)/\(proto)" }

    /// The IPv6 twin of an all-addresses binding, served by the monitor's proxy.
    public var isIPv6: Bool { hostIP.contains(":") }

    /// The host side as `ps` and `port` print it: `0.0.0.0:8080`, `[::]:8080`.
    public var hostEndpoint: String {
        let ip = hostIP.isEmpty ? "0.0.0.0" : hostIP
        return (isIPv6 ? "[\(ip)]" : ip) + ":\(hostPort)"
    }

    public init(parsing text: String) throws {
        func bad() -> BerthError {
            BerthError(message: "invalid argument \"\(text)\" for \"-p, --publish\" flag: invalid port specification", exitCode: 125)
        }
        var spec = Substring(text)
        var proto = "tcp"
        if let slash = spec.lastIndex(of: "/") {
            proto = String(spec[spec.index(after: slash)...]).lowercased()
            spec = spec[..<slash]
            guard proto == "tcp" || proto == "udp" else {
                throw BerthError(message: "invalid proto: \(proto)", exitCode: 125)
            }
        }
        var parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var ip = ""
        if parts.count == 3 {
            ip = parts.removeFirst()
            if ip.hasPrefix("[") && ip.hasSuffix("]") { ip = String(ip.dropFirst().dropLast()) }
        }
        guard parts.count <= 2, let c = UInt16(parts.last!), c > 0 else { throw bad() }
        var host: UInt16 = 0
        if parts.count == 2 && !parts[0].isEmpty {
            guard let h = UInt16(parts[0]) else { throw bad() }
            host = h
        }
        if !ip.isEmpty && IPv4Address(ip) == nil {
            throw BerthError(message: "invalid IP address: \(ip)", exitCode: 125)
        }
        self.init(hostIP: ip, hostPort: host, containerPort: c, proto: proto)
    }
}

/// A dotted-quad IPv4 address as a number, enough for IPAM and rules.
public struct IPv4Address: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var v: UInt32 = 0
        for p in parts {
            guard let b = UInt8(p) else { return nil }
            v = v << 8 | UInt32(b)
        }
        value = v
    }

    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xff).\((value >> 8) & 0xff).\(value & 0xff)"
    }

    /// Docker derives a container's MAC from its IP: 02:42 followed by the four bytes.
    public var mac: String {
        let bytes = [0x02, 0x42, value >> 24, (value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]
        return bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined(separator: ":")
    }

    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let a = IPv4Address(s) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad IPv4 \(s)"))
        }
        self = a
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
