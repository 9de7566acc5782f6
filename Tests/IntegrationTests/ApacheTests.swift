import BerthTestSupport
import Foundation
import Testing

/// The Apache chapter of the notes, for real: apt-get inside a debian:12 container reaches
/// the host's configured Debian mirror through the bridge's NAT, and the page answers on the
/// published host port.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: namespaces, veth, iptables"))
struct ApacheTests {
    @Test("debian:12 + apt-get install apache2 + service apache2 start answers 'It works!' on the host port")
    func apacheThroughPublishedPort() throws {
        try withTemporaryStateRoot { berth in
            let port = try freePort()
            let run = try berth.run("run", "-dit", "--name", "web", "-p", "\(port):80", "debian:12")
            #expect(run.status == 0, "\(run.stderr)")
            let update = try berth.run("exec", "web", "apt-get", "update")
            #expect(update.status == 0, "apt-get update inside the container failed: \(update.stderr)")
            let install = try berth.run("exec", "-e", "DEBIAN_FRONTEND=noninteractive", "web", "apt-get", "install", "-y", "apache2")
            #expect(install.status == 0, "\(install.stderr.suffix(2000))")
            let start = try berth.run("exec", "web", "service", "apache2", "start")
            #expect(start.status == 0, "\(start.stderr)")
            var page = ""
            #expect(waitUntil(10) {
                page = (try? shell("curl -s --max-time 2 http://127.0.0.1:\(port)/")) ?? ""
                return page.contains("It works!")
            }, "Apache did not answer through 127.0.0.1:\(port): \(page.prefix(200))")
            let status = try shell("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/")
            #expect(status == "200")
            // The image is untouched: a fresh container from debian:12 has no Apache.
            let fresh = try berth.run("run", "--rm", "debian:12", "ls", "/usr/sbin/apache2")
            #expect(fresh.status != 0)
        }
    }
}
