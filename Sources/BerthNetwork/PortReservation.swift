import BerthCore
import Foundation

/// Holds each published host port with a bound socket for as long as the container runs
/// (the monitor inherits the fds, as conmon does), so no other process can take it and a
/// clash is reported before the container starts, in Docker's words.
public struct PortReservation: Sendable {
    public var mappings: [PortMapping]
    public var fds: [Int32]

    /// Binds every mapping; a requested port 0 gets a free ephemeral port from the kernel.
    /// Throws Docker's error (and closes what it opened) when a port is taken or the host
    /// lacks the address.
    public static func reserve(_ requested: [PortMapping]) throws -> PortReservation {
        var held = PortReservation(mappings: [], fds: [])
        do {
            for m in requested {
                let (fd, port) = try bind(m)
                held.fds.append(fd)
                var resolved = m
                resolved.hostPort = port
                held.mappings.append(resolved)
                // A TCP port on every address is published on IPv6 too, as Docker does: the
                // monitor relays [::]:PORT to 127.0.0.1:PORT (its DNAT reaches the container).
                if m.proto == "tcp" && (m.hostIP.isEmpty || m.hostIP == "0.0.0.0"),
                    let twin = try bindIPv6(port, explicit: m.hostPort != 0)
                {
                    held.fds.append(twin)
                    held.mappings.append(PortMapping(hostIP: "::", hostPort: port, containerPort: m.containerPort, proto: "tcp"))
                }
            }
        } catch {
            held.release()
            throw error
        }
        return held
    }

    public func release() {
        fds.forEach { close($0) }
    }

    /// `[::]:port`, IPv6 only; nil when the host has no IPv6, or when a port the kernel picked
    /// for IPv4 happens to be taken on IPv6 (the IPv4 binding is enough then).
    static func bindIPv6(_ port: UInt16, explicit: Bool) throws -> Int32? {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_port = port.bigEndian
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        if r == 0 && listen(fd, 128) == 0 { return fd }
        let e = errno
        close(fd)
        if e == EADDRINUSE && explicit {
            throw BerthError.daemon(
                "driver failed programming external connectivity on endpoint: Bind for [::]:\(port) failed: port is already allocated",
                exitCode: 125)
        }
        return nil
    }

    static func bind(_ m: PortMapping) throws -> (Int32, UInt16) {
        let udp = m.proto == "udp"
        let fd = try sys("socket") {
            socket(AF_INET, Int32(udp ? SOCK_DGRAM.rawValue : SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        // SO_REUSEADDR, as Go's listeners (docker-proxy) set it: without it, a port whose last
        // connections are still in TIME_WAIT (a curl a moment ago) is "already allocated" for a minute.
        if !udp {
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = m.hostPort.bigEndian
        let ip = m.hostIP.isEmpty ? "0.0.0.0" : m.hostIP
        addr.sin_addr.s_addr = (IPv4Address(ip)?.value ?? 0).bigEndian
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if r != 0 || (!udp && listen(fd, 1) != 0) {
            let e = errno
            close(fd)
            let hostPort = "\(ip):\(m.hostPort)"
            if e == EADDRINUSE {
                throw BerthError.daemon(
                    "driver failed programming external connectivity on endpoint: Bind for \(hostPort) failed: port is already allocated",
                    exitCode: 125)
            }
            throw BerthError.daemon(
                "driver failed programming external connectivity on endpoint: Error starting userland proxy: "
                    + "listen \(m.proto)4 \(hostPort): bind: \(String(cString: strerror(e)).lowercased())",
                exitCode: 125)
        }
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return (fd, UInt16(bigEndian: bound.sin_port))
    }
}
