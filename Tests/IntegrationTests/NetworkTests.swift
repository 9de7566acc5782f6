import BerthTestSupport
import Foundation
import Testing

/// The binding chapter for real: eth0 on the bridge, published ports, and teardown.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces, veth, iptables"))
struct NetworkTests {
    /// Serves /etc/hostname with busybox httpd on port 80 of the container.
    static let httpd = ["busybox", "httpd", "-f", "-p", "80", "-h", "/etc"]

    @Test("eth0 has a bridge address, lo is up, inspect shows IPAddress, containers reach each other")
    func bridgeAddress() throws {
        try withTemporaryStateRoot { berth in
            try berth.run(["run", "-d", "--name", "web1"] + Self.httpd)
            let ip = try berth.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web1").trimmed
            #expect(ip.range(of: #"^172\.(1[7-9]|2\d|3[01])\.0\.\d+$"#, options: .regularExpression) != nil, "\(ip)")
            let addr = try berth.run("run", "--rm", "busybox", "ip", "-o", "-4", "addr")
            #expect(addr.stdout.contains("lo    inet 127.0.0.1/8"))
            #expect(addr.stdout.contains("eth0    inet 172."))
            let mac = try berth.run("inspect", "-f", "{{.NetworkSettings.MacAddress}}", "web1").trimmed
            #expect(mac.hasPrefix("02:42:ac:"))
            let fetched = try berth.run("run", "--rm", "busybox", "wget", "-qO-", "http://\(ip)/hostname")
            #expect(fetched.trimmed.count == 12, "\(fetched.stderr)")
            let hosts = try berth.run("exec", "web1", "cat", "/etc/hosts").stdout
            #expect(hosts.contains("\(ip)\t"))
        }
    }

    @Test("-p forms: H:C, 127.0.0.1:H:C, IP::C, C, repeated; ps and port show them; curl gets the page")
    func publishForms() throws {
        try withTemporaryStateRoot { berth in
            let fixed = try freePort()
            try berth.run(["run", "-d", "--name", "pub", "-p", "\(fixed):80", "-p", "127.0.0.1::80", "-p", "8081"] + Self.httpd)
            let ports = try berth.run("port", "pub").lines
            // Bindings on every address get an IPv6 twin ([::]) when the host has IPv6.
            #expect(ports.count == (hostHasIPv6 ? 5 : 3), "\(ports)")
            #expect(ports.contains("80/tcp -> 0.0.0.0:\(fixed)"))
            #expect(ports.contains("80/tcp -> [::]:\(fixed)") == hostHasIPv6)
            let loopback = ports.first { $0.hasPrefix("80/tcp -> 127.0.0.1:") }!
            let random = ports.first { $0.hasPrefix("8081/tcp -> 0.0.0.0:") }!
            #expect(random.split(separator: ":").last != "8081")
            let psPorts = try berth.run("ps", "--format", "{{.Ports}}").trimmed
            #expect(psPorts.contains("0.0.0.0:\(fixed)->80/tcp"))
            let hostname = try berth.run("exec", "pub", "hostname").trimmed
            #expect(try curl("http://127.0.0.1:\(fixed)/hostname") == hostname)
            #expect(try curl("http://127.0.0.1:\(loopback.split(separator: ":").last!)/hostname") == hostname)
            if let hostIP = hostAddress() {
                #expect(try curl("http://\(hostIP):\(fixed)/hostname") == hostname)
            }
            let inspect = try berth.run("inspect", "-f", "{{json .NetworkSettings.Ports}}", "pub").trimmed
            #expect(inspect.contains("\"HostPort\":\"\(fixed)\""))
            // Docker adds published ports to Config.ExposedPorts and has the prefix length at the top.
            let shape = try berth.run("inspect", "-f", "{{json .Config.ExposedPorts}} {{.NetworkSettings.IPPrefixLen}}", "pub")
            #expect(shape.trimmed.hasPrefix("{\"80/tcp\":{}"), "\(shape.stdout)")
            #expect(shape.trimmed.hasSuffix("} 16"), "\(shape.stdout)")
        }
    }

    @Test("a clash or a missing address fails before the container starts and leaves nothing")
    func publishFailures() throws {
        try withTemporaryStateRoot { berth in
            let port = try freePort()
            let holder = try listenOn(port)
            defer { close(holder) }
            try berth.run("run", "--rm", "busybox", "true")  // creates the bridge and its base rules
            let before = try hostNetworkState(berth)
            #expect(!before.isEmpty)
            let clash = try berth.run(["run", "-d", "--name", "clash", "-p", "\(port):80"] + Self.httpd)
            #expect(clash.status == 125)
            #expect(clash.stderr.contains("port is already allocated"), "\(clash.stderr)")
            let missing = try berth.run(["run", "-d", "--name", "noaddr", "-p", "192.168.0.100:8080:80"] + Self.httpd)
            #expect(missing.status == 125)
            #expect(missing.stderr.contains("cannot assign requested address"), "\(missing.stderr)")
            #expect(try hostNetworkState(berth) == before)
            #expect(try berth.run("ps", "-q").trimmed.isEmpty)
        }
    }

    @Test("a port whose last connection is in TIME_WAIT can be published again at once, as with Docker")
    func republishAfterTraffic() throws {
        try withTemporaryStateRoot { berth in
            let port = try freePort()
            try berth.run(["run", "-d", "--name", "first", "-p", "\(port):80"] + Self.httpd)
            // httpd closes first, so the host side of the proxied connection waits in TIME_WAIT.
            #expect(try curl("http://127.0.0.1:\(port)/hostname").count == 12)
            try berth.run("rm", "-f", "first")
            let again = try berth.run(["run", "-d", "--name", "second", "-p", "\(port):80"] + Self.httpd)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try curl("http://127.0.0.1:\(port)/hostname").count == 12)
        }
    }

    @Test("50 × run --rm -p 0:80 leaves the links and firewall rules as they were")
    func noNetworkLeaks() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "--rm", "-p", "0:80", "busybox", "true")  // creates the bridge
            let before = try hostNetworkState(berth)
            #expect(before.contains { $0.contains("MASQUERADE") })
            for _ in 0..<50 {
                let r = try berth.run("run", "--rm", "-p", "0:80", "busybox", "true")
                #expect(r.status == 0, "\(r.stderr)")
            }
            try berth.run(["run", "-d", "--name", "k9", "-p", "0:80"] + Self.httpd)
            let monitors = HostSnapshot.capture(berth).monitors
            try #require(monitors.count == 1)
            kill(monitors[0], SIGKILL)  // a crashed monitor: rm -f must still undo its network
            #expect(try berth.run("rm", "-f", "k9").status == 0)
            let after = try hostNetworkState(berth)
            #expect(after == before, "left: \(Set(after).subtracting(before)) gone: \(Set(before).subtracting(after))")
        }
    }

    @Test("IPv6 clients reach a published port through the monitor's proxy; rm closes it")
    func ipv6Proxy() throws {
        try withTemporaryStateRoot { berth in
            guard hostHasIPv6 else {
                print("SKIPPED IPv6 proxy: this host has no IPv6")
                return
            }
            let port = try freePort()
            let run = try berth.run(["run", "-d", "--name", "six", "-p", "\(port):80"] + Self.httpd)
            try #require(run.status == 0, "\(run.stderr)")
            #expect(try berth.run("ps", "--format", "{{.Ports}}").trimmed == "0.0.0.0:\(port)->80/tcp, [::]:\(port)->80/tcp")
            try berth.run("exec", "six", "sh", "-c", "head -c 3000000 /dev/urandom > /etc/big.bin")
            let inside = try berth.run("exec", "six", "md5sum", "/etc/big.bin").stdout.prefix(32)
            // Ten clients at once, each a 3 MB body: nothing lost, nothing mixed up.
            let sums = try shell("for i in $(seq 10); do curl -gsf --max-time 20 'http://[::1]:\(port)/big.bin' | md5sum & done; wait")
            #expect(sums.split(separator: "\n").map { $0.prefix(32) } == Array(repeating: inside, count: 10), "\(sums)")
            let hostname = try berth.run("exec", "six", "hostname").trimmed
            #expect(try curl("http://[::1]:\(port)/hostname") == hostname)
            #expect(try berth.run("rm", "-f", "six").status == 0)
            #expect(try shell("ss -Hltn 'sport = :\(port)'").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)

            // Nothing listens in the container: each IPv6 client is accepted, then closed (curl:
            // empty reply or reset, as with docker-proxy), and the monitor keeps no descriptor of it.
            try berth.run("run", "-d", "--name", "deaf", "-p", "\(port):80", "busybox", "sleep", "60")
            let monitors = HostSnapshot.capture(berth).monitors
            try #require(monitors.count == 1)
            func fds() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(monitors[0])/fd").count) ?? -1 }
            let before = fds()
            let tries = try shell("for i in $(seq 20); do curl -gs --max-time 5 'http://[::1]:\(port)/' >/dev/null; echo $?; done")
            #expect(tries.split(separator: "\n").allSatisfy { $0 == "52" || $0 == "56" }, "\(tries)")
            #expect(waitUntil(5) { fds() == before }, "monitor fds \(before) → \(fds())")
            #expect(try curl("http://[::1]:\(port)/hostname").isEmpty)
        }
    }

    @Test("--network none has only lo; host shares the host's interfaces")
    func networkModes() throws {
        try withTemporaryStateRoot { berth in
            let none = try berth.run("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link")
            #expect(none.lines.count == 1 && none.stdout.contains("lo:"))
            let host = try berth.run("run", "--rm", "--network", "host", "busybox", "ip", "-o", "link")
            #expect(host.lines.count >= 2)
        }
    }

    // MARK: helpers

    /// ::1 answers on loopback, so IPv6 bindings are made.
    var hostHasIPv6: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in6()
        addr.sin6_family = sa_family_t(AF_INET6)
        addr.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }

    /// Links on this state root's bridge and the iptables rules that name it or its chain:
    /// what a container's network could leak. Scoped to the root, since tests run in parallel.
    func hostNetworkState(_ berth: BerthProcess) throws -> [String] {
        let config = try? String(contentsOfFile: berth.paths.network + "/bridge.json", encoding: .utf8)
        guard let bridge = config?.firstMatch(of: /"Bridge":"(berth\d+)"/)?.1 else { return [] }
        let links = try shell("ip -o link show master \(bridge) | awk -F': ' '{print $2}' | sort")
        let rules = try shell("iptables-save | grep -E -- '\(bridge)( |$)|BERTH-\(bridge)' | grep -v '^:' | sort")
        return links.split(separator: "\n").map(String.init) + rules.split(separator: "\n").map(String.init)
    }

    /// `run -d` returns before httpd listens: a refused connection is tried again for a while.
    func curl(_ url: String) throws -> String {
        try shell("curl -gsf --max-time 5 --retry 10 --retry-connrefused --retry-delay 1 '\(url)'")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func hostAddress() -> String? {
        let out = (try? shell("ip -4 -o route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \\([0-9.]*\\).*/\\1/p'")) ?? ""
        let ip = out.trimmingCharacters(in: .whitespacesAndNewlines)
        return ip.isEmpty ? nil : ip
    }
}

/// A port no one listens on right now (the kernel picks it).
func freePort() throws -> UInt16 {
    let fd = try listenOn(0)
    defer { close(fd) }
    var addr = sockaddr_in()
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return UInt16(bigEndian: addr.sin_port)
}

/// A TCP listener on 0.0.0.0:port; the caller closes it.
func listenOn(_ port: UInt16) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard r == 0, listen(fd, 8) == 0 else {
        close(fd)
        throw POSIXError(.EADDRINUSE)
    }
    return fd
}

