@testable import BerthCLI
import Testing

struct GoTemplateTests {
    let value = TemplateValue(json: [
        "Name": "/web", "State": ["Status": "running", "Running": true, "Pid": 42] as [String: Any],
        "Args": ["-c", "echo"], "Config": ["Labels": ["k": "v"]] as [String: Any],
    ] as [String: Any])

    @Test("fields, nested fields, json, index, join", arguments: [
        ("{{.Name}}", "/web"),
        ("{{.State.Status}} {{.State.Running}} {{.State.Pid}}", "running true 42"),
        ("{{json .State.Status}}", "\"running\""),
        ("{{index .Config.Labels \"k\"}}", "v"),
        ("{{join .Args \",\"}}", "-c,echo"),
        ("{{upper .State.Status}}", "RUNNING"),
        ("a\\tb", "a\tb"),
    ])
    func renders(template: String, expected: String) throws {
        #expect(try GoTemplate(template).render(value) == expected)
    }

    @Test("unknown fields are an error, as in Go")
    func unknownField() {
        #expect(throws: (any Error).self) { try GoTemplate("{{.Images}}").render(value) }
    }

    @Test("table: header from the fields, columns aligned like Go's tabwriter")
    func table() throws {
        let t = try GoTemplate("table {{.ID}}\t{{.Status}}\t{{.Image}}")
        #expect(t.isTable)
        var tw = TabWriter()
        tw.add(t.header(PsCommand.titles))
        tw.add(try t.render(.fields(["ID": "abc", "Status": "Up 2 seconds", "Image": "busybox"])))
        #expect(tw.render() == """
            CONTAINER ID   STATUS         IMAGE
            abc            Up 2 seconds   busybox
            """)
    }
}
