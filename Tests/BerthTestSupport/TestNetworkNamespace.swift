import Foundation

/// A network namespace joined to the host by a veth pair, 198.18.N.1 on the host side and
/// 198.18.N.2 inside: a server run in it (`command`) listens on an address that is not
/// loopback, so the registry client treats it as a secure registry. N is claimed by
/// `ip netns add berth-tN`, which fails while another run holds it. `remove()` (call it in
/// `defer`) deletes the namespace, and the veth pair with it.
public final class TestNetworkNamespace: @unchecked Sendable {
    public let name: String
    public let index: Int
    private var removed = false

    public var hostAddress: String { "198.18.\(index).1" }
    /// The address inside the namespace.
    public var address: String { "198.18.\(index).2" }

    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip") }
    static var ip: String { FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") ? "/usr/sbin/ip" : "/sbin/ip" }

    public init() throws {
        // Start from the pid so parallel test processes rarely try the same N first.
        let start = Int(getpid() % 200)
        var claimed: Int?
        for k in 0..<200 {
            let n = 20 + (start + k) % 200
            if (try? Registry.run(Self.ip, ["netns", "add", "berth-t\(n)"])) != nil {
                claimed = n
                break
            }
        }
        guard let claimed else { throw RegistryError(message: "no free berth-tN network namespace") }
        index = claimed
        name = "berth-t\(claimed)"
        do {
            let host = "bt\(claimed)h", inside = "bt\(claimed)n"
            try Registry.run(Self.ip, ["link", "add", host, "type", "veth", "peer", "name", inside, "netns", name])
            try Registry.run(Self.ip, ["addr", "add", hostAddress + "/24", "dev", host])
            try Registry.run(Self.ip, ["link", "set", host, "up"])
            try Registry.run(Self.ip, ["-n", name, "addr", "add", address + "/24", "dev", inside])
            try Registry.run(Self.ip, ["-n", name, "link", "set", inside, "up"])
            try Registry.run(Self.ip, ["-n", name, "link", "set", "lo", "up"])
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    /// `program args` run inside the namespace: the argv to spawn.
    public func command(_ program: String, _ args: [String]) -> (String, [String]) {
        (Self.ip, ["netns", "exec", name, program] + args)
    }

    public func remove() {
        guard !removed else { return }
        removed = true
        _ = try? Registry.run(Self.ip, ["netns", "del", name])
    }
}

/// A throwaway certificate authority made with the `openssl` CLI (EC P-256, valid two days),
/// and the server certificates it signs.
public struct TestCertificateAuthority: Sendable {
    public static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl") }
    public let dir: String
    public var certificate: String { dir + "/ca.crt" }

    public init(dir: String, name: String = "berth test CA") throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Registry.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", dir + "/ca.key", "-out", dir + "/ca.crt", "-days", "2", "-subj", "/CN=\(name)",
        ])
    }

    /// A server certificate for `ips` (IP SANs) and `names` (DNS SANs): (certificate, key) paths.
    public func issue(_ file: String, ips: [String], names: [String] = []) throws -> (certificate: String, key: String) {
        let base = dir + "/" + file
        try Registry.run("/usr/bin/openssl", [
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=\(ips.first ?? names.first ?? "server")",
        ])
        let sans = (ips.map { "IP:" + $0 } + names.map { "DNS:" + $0 }).joined(separator: ",")
        try "subjectAltName=\(sans)\n".write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try Registry.run("/usr/bin/openssl", [
            "x509", "-req", "-in", base + ".csr", "-CA", certificate, "-CAkey", dir + "/ca.key", "-CAcreateserial",
            "-out", base + ".crt", "-days", "2", "-extfile", base + ".ext",
        ])
        return (base + ".crt", base + ".key")
    }
}
