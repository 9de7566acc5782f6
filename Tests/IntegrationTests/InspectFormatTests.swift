import BerthTestSupport
import Foundation
import Testing

/// `inspect` and `--format` as Docker prints them, on a real container.
@Suite(.tags(.root), .enabled(if: isRoot, "needs root: the state root and overlay mounts"))
struct InspectFormatTests {
    @Test("inspect JSON: four-space indent, Id first, Docker's top-level key order, HTML characters escaped")
    func inspectJSON() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("create", "--name", "box", "-l", "x=<a&b>", "busybox", "sh")
            let out = try berth.run("inspect", "box").stdout
            #expect(out.hasPrefix("[\n    {\n        \"Id\": \""))
            let topKeys = out.split(separator: "\n").filter { $0.hasPrefix("        \"") && !$0.hasPrefix("         ") }
                .map { String($0.dropFirst(9).prefix { $0 != "\"" }) }
            #expect(topKeys == [
                "Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath", "HostsPath",
                "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel", "ProcessLabel",
                "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver", "Mounts", "Config", "NetworkSettings",
            ])
            #expect(out.contains("\"x\": \"\\u003ca\\u0026b\\u003e\""))
            #expect(out.contains("\"Entrypoint\": null"))
            #expect(out.contains("\"Args\": [],"))
            let image = try berth.run("image", "inspect", "busybox").stdout
            #expect(image.hasPrefix("[\n    {\n        \"Id\": \"sha256:"))
        }
    }

    @Test("templates: nil fields, pipes, range over networks, and Docker's errors and exit codes")
    func templates() throws {
        try withTemporaryStateRoot { berth in
            let id = try berth.run("run", "-d", "--name", "web", "busybox", "sleep", "30").trimmed
            let f = "{{.Config.Entrypoint}}|{{.Id | printf \"%.12s\"}}|{{.Name | upper}}|{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"
            let parts = try berth.run("inspect", "-f", f, "web").trimmed.split(separator: "|").map(String.init)
            #expect(parts.count == 4)
            #expect(parts.prefix(3) == ["[]", String(id.prefix(12)), "/WEB"])
            let ip = try berth.run("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "web").trimmed
            #expect(!ip.isEmpty && parts.last == ip)
            let missing = try berth.run("inspect", "-f", "{{.Nope}}", "web")
            #expect(missing.status == 1)
            #expect(missing.stderr.contains("template parsing error: template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\""))
            let bad = try berth.run("inspect", "-f", "{{nope .Id}}", "web")
            #expect(bad.status == 64)
            #expect(bad.stderr.contains("template parsing error: template: :1: function \"nope\" not defined"))
            #expect(try berth.run("ps", "--format", "{{.Names | upper}}").trimmed == "WEB")
            let json = try berth.run("ps", "--format", "{{json .}}").trimmed
            let keys = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            #expect(keys.map { $0.keys.sorted() } == [
                "Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names", "Networks",
                "Ports", "RunningFor", "Size", "State", "Status",
            ])
            #expect(json.hasPrefix("{\"Command\":"))
            try berth.run("rm", "-f", "web")
        }
    }
}
