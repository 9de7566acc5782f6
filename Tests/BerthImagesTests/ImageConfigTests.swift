import BerthCore
import Foundation
import Testing

@testable import BerthImages

struct ImageConfigTests {
    /// Shaped like the config of Docker Hub's nginx (classic builder), with the keys berth
    /// does not model (`container_config`, `docker_version`, …) left in.
    static let dockerConfig = #"""
        {"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"nginx","AttachStdin":false,
        "ExposedPorts":{"80/tcp":{},"443/tcp":{}},"Tty":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NGINX_VERSION=1.27.1"],
        "Cmd":["nginx","-g","daemon off;"],"Image":"sha256:0000","Volumes":{"/var/cache/nginx":{}},"WorkingDir":"/srv",
        "Entrypoint":["/docker-entrypoint.sh"],"OnBuild":null,"Labels":{"maintainer":"NGINX Docker Maintainers"},
        "StopSignal":"SIGQUIT","ArgsEscaped":true},"container":"4b1f","container_config":{"Cmd":["/bin/sh"]},
        "created":"2024-09-26T21:31:42.391838349Z","docker_version":"20.10.23",
        "history":[{"created":"2024-09-26T21:31:41.5Z","created_by":"/bin/sh -c #(nop) ADD file:abc in / "},
        {"created":"2024-09-26T21:31:42.391838349Z","created_by":"/bin/sh -c #(nop)  CMD [\"nginx\"]","empty_layer":true,"comment":"x"}],
        "os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:\#(String(repeating: "1", count: 64))"]},
        "moby.buildkit.buildinfo.v1":"e30="}
        """#

    @Test("decodes Docker's config JSON and ignores what it does not model")
    func decodes() throws {
        let c = try ImageConfig.decode(Data(ImageConfigTests.dockerConfig.utf8))
        #expect(c.architecture == "amd64")
        #expect(c.os == "linux")
        #expect(c.created == "2024-09-26T21:31:42.391838349Z")
        let cc = try #require(c.config)
        #expect(cc.user == "nginx")
        #expect(cc.exposedPorts?.keys.sorted() == ["443/tcp", "80/tcp"])
        #expect(cc.cmd == ["nginx", "-g", "daemon off;"])
        #expect(cc.entrypoint == ["/docker-entrypoint.sh"])
        #expect(cc.env?.count == 2)
        #expect(cc.volumes?.keys.sorted() == ["/var/cache/nginx"])
        #expect(cc.workingDir == "/srv")
        #expect(cc.labels == ["maintainer": "NGINX Docker Maintainers"])
        #expect(cc.stopSignal == "SIGQUIT")
        #expect(c.rootfs.type == "layers")
        #expect(c.rootfs.diffIDs.map(\.hex) == [String(repeating: "1", count: 64)])
        #expect(c.history?.count == 2)
        #expect(c.history?[1].emptyLayer == true)
        #expect(c.history?[1].comment == "x")
        #expect(c.history?[0].createdBy == "/bin/sh -c #(nop) ADD file:abc in / ")
    }

    @Test("encodes with Docker's keys and shapes, round-trips, and is stable")
    func encodes() throws {
        let c = try ImageConfig.decode(Data(ImageConfigTests.dockerConfig.utf8))
        let data = try c.encoded()
        let text = String(decoding: data, as: UTF8.self)
        for key in [
            #""ExposedPorts":{"443/tcp":{},"80/tcp":{}}"#, #""Volumes":{"/var/cache/nginx":{}}"#, #""diff_ids":["sha256:"#,
            #""created_by":"#, #""empty_layer":true"#, #""rootfs":{"diff_ids""#, #""type":"layers""#, #""StopSignal":"SIGQUIT""#,
            #""Entrypoint":["/docker-entrypoint.sh"]"#, #""WorkingDir":"/srv""#, #""architecture":"amd64""#,
        ] {
            #expect(text.contains(key), "\(key) missing from \(text)")
        }
        #expect(!text.contains("docker_version"))
        #expect(!text.contains("\\/"))
        #expect(try ImageConfig.decode(data) == c)
        #expect(try c.encoded() == data)
    }

    @Test("a config without config, history or diff_ids still decodes")
    func minimal() throws {
        let c = try ImageConfig.decode(Data(#"{"architecture":"arm64","os":"linux","rootfs":{"type":"layers"}}"#.utf8))
        #expect(c.config == nil)
        #expect(c.rootfs.diffIDs.isEmpty)
        #expect(throws: BerthError.self) { try ImageConfig.decode(Data(#"{"os":"linux"}"#.utf8)) }
    }

    @Test("created times parse and print as RFC 3339", arguments: [
        ("2024-09-26T21:31:42Z", 1_727_386_302.0), ("2024-09-26T21:31:42.5Z", 1_727_386_302.5),
        ("2024-09-26T23:31:42+02:00", 1_727_386_302.0), ("1970-01-01T00:00:00Z", 0),
    ])
    func times(text: String, seconds: Double) throws {
        let d = try #require(RFC3339.parse(text))
        #expect(abs(d.timeIntervalSince1970 - seconds) < 1e-6)
        if !text.contains("+") { #expect(RFC3339.format(d) == text) }
    }

    @Test("bad times do not parse", arguments: ["", "2024-09-26", "2024-09-26T21:31:42", "2024-09-26T21:31:42.Z", "yesterday"])
    func badTimes(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }
}
