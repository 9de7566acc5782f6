import BerthTestSupport
import Foundation
import Testing

extension LifecycleTests {
    @Test("ps --filter (OR within a key, AND across), -n/-l, -s and .Size; bad filters refused as Docker does")
    func psFilters() throws {
        try withTemporaryStateRoot { berth in
            try berth.run("run", "--name", "ex3", "--label", "a=1", "busybox", "sh", "-c", "echo x > /big; exit 3")
            try berth.run("create", "--name", "cr", "-v", "vol1:/data", "--label", "a=2", "--label", "b", "busybox")
            try berth.run("run", "-d", "--name", "up", "-p", "127.0.0.1::80", "busybox", "sleep", "60")
            let crID = try berth.run("inspect", "-f", "{{.Id}}", "cr").trimmed
            func names(_ args: String...) throws -> [String] {
                try berth.run(["ps", "--format", "{{.Names}}"] + args).lines
            }
            #expect(try names() == ["up"])
            #expect(try names("-a", "-f", "status=exited") == ["ex3"])
            #expect(try names("-f", "status=exited", "-f", "status=created") == ["cr", "ex3"])
            #expect(try names("-a", "-f", "name=^e") == ["ex3"])
            #expect(try names("-a", "-f", "name=p") == ["up"])
            #expect(try names("-a", "-f", "id=" + String(crID.prefix(8))) == ["cr"])
            #expect(try names("-a", "-f", "label=a") == ["cr", "ex3"])
            #expect(try names("-a", "-f", "label=a=1") == ["ex3"])
            #expect(try names("-a", "-f", "label=a", "-f", "label=b") == ["cr"])
            #expect(try names("-a", "-f", "label=a", "-f", "status=created") == ["cr"])
            #expect(try names("-a", "-f", "exited=3") == ["ex3"])
            #expect(try names("-a", "-f", "exited=0").isEmpty)
            #expect(try names("-a", "-f", "before=cr") == ["ex3"])
            #expect(try names("-a", "-f", "since=ex3") == ["up", "cr"])
            #expect(try names("-a", "-f", "volume=vol1") == ["cr"])
            #expect(try names("-a", "-f", "volume=/data") == ["cr"])
            #expect(try names("-a", "-f", "publish=80") == ["up"])
            #expect(try names("-a", "-f", "ancestor=busybox:latest").count == 3)
            #expect(try names("-a", "-f", "ancestor=nope").isEmpty)
            #expect(try names("-n", "2") == ["up", "cr"])
            #expect(try names("-l") == ["up"])
            #expect(try names("-n", "-1") == ["up"])  // Docker's default: only the running

            let unknown = try berth.run("ps", "-f", "foo=1")
            #expect(unknown.status == 1 && unknown.stderr.contains("Error response from daemon: invalid filter 'foo'"))
            let badStatus = try berth.run("ps", "-f", "status=bogus")
            #expect(badStatus.status == 1 && badStatus.stderr.contains("invalid filter 'status=bogus'"))
            let noEquals = try berth.run("ps", "-f", "foo")
            #expect(noEquals.status == 125)
            #expect(noEquals.stderr.contains("invalid argument \"foo\" for \"-f, --filter\" flag: bad format of filter (expected name=value)"))

            // -s adds SIZE: the writable layer, then the whole root; .Size in --format computes it too.
            let sized = try berth.run("ps", "-a", "-s", "-f", "name=ex3")
            #expect(sized.lines.first?.hasSuffix("SIZE") == true)
            #expect(sized.lines.last?.range(of: #"2B \(virtual [0-9.]+MB\)$"#, options: .regularExpression) != nil)
            #expect(try names("-a", "-f", "name=ex3").count == 1)
            #expect(try berth.run("ps", "-a", "-f", "name=ex3", "--format", "{{.Size}}").trimmed.hasPrefix("2B (virtual "))
            let json = try berth.run("ps", "-a", "-f", "name=ex3", "--format", "json").trimmed
            let row = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String]
            #expect(row?["Names"] == "ex3")
            #expect(row?["Size"]?.hasPrefix("2B (virtual ") == true)
        }
    }
}
