@testable import BerthCLI
import BerthCore
import Testing

struct GoTemplateTests {
    /// Shaped like Docker's inspect data: a struct (declared order) holding maps (sorted) and nils.
    struct Data: Encodable {
        var Id = "0123456789abcdef0123"
        var Name = "/web"
        var State = State()
        var Args = ["-c", "echo"]
        var Config = Config()
        var NetworkSettings = NetworkSettings()
        struct State: Encodable {
            var Status = "running"
            var Running = true
            var Pid = 42
        }
        struct Config: Encodable {
            var Labels = ["k": "v", "a": "b"]
            var Entrypoint: [String]? = nil
            var Volumes: [String: String]? = nil
            var Healthcheck: State? = nil
            var Env = ["PATH=/bin", "A=1"]
        }
        struct NetworkSettings: Encodable {
            var Networks = ["bridge": Endpoint(IPAddress: "172.17.0.2"), "web": Endpoint(IPAddress: "10.0.0.3")]
            var Empty: [String] = []
        }
        struct Endpoint: Encodable { var IPAddress: String }
    }

    let value = try! TemplateValue(encoding: Data())

    func render(_ template: String) throws -> String { try GoTemplate(template).render(value) }

    @Test("fields, nil fields and Go's printing of slices, maps and structs", arguments: [
        ("{{.Name}}", "/web"),
        ("{{.State.Status}} {{.State.Running}} {{.State.Pid}}", "running true 42"),
        ("{{.Args}}", "[-c echo]"),
        ("{{.Config.Labels}}", "map[a:b k:v]"),
        ("{{.Config.Entrypoint}}", "[]"),
        ("{{.Config.Volumes}}", "map[]"),
        ("{{.Config.Healthcheck}}", "<nil>"),
        ("{{.Config.Labels.k}}", "v"),
        ("{{.Config.Labels.missing}}", ""),
        ("{{.State}}", "{running true 42}"),
        ("{{.NetworkSettings.Empty}}", "[]"),
        ("a\\tb", "a\tb"),
    ])
    func fields(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test("Docker's functions", arguments: [
        ("{{json .State.Status}}", "\"running\""),
        ("{{json .Config.Labels}}", "{\"a\":\"b\",\"k\":\"v\"}"),
        ("{{json .State}}", "{\"Status\":\"running\",\"Running\":true,\"Pid\":42}"),
        ("{{json .Config.Entrypoint}}", "null"),
        ("{{json \"a<b&c\"}}", "\"a<b&c\""),
        ("{{join .Args \",\"}}", "-c,echo"),
        ("{{split \"a:b:c\" \":\"}}", "[a b c]"),
        ("{{index (split \"a:b:c\" \":\") 1}}", "b"),
        ("{{upper .State.Status}}", "RUNNING"),
        ("{{lower \"ABC\"}}", "abc"),
        ("{{title \"hello big-world\"}}", "Hello Big-World"),
        ("[{{pad .State.Status 2 1}}]", "[  running ]"),
        ("[{{pad \"\" 2 1}}]", "[]"),
        ("{{truncate .Id 5}}", "01234"),
        ("{{truncate \"ab\" 5}}", "ab"),
        ("{{println .Name}}", "/web\n"),
    ])
    func dockerFunctions(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test("Go's builtins", arguments: [
        ("{{printf \"%.12s\" .Id}}", "0123456789ab"),
        ("{{printf \"%d-%s-%v-%t\" .State.Pid .Name .Args .State.Running}}", "42-/web-[-c echo]-true"),
        ("{{printf \"%5d|%-5s|%05d|%q|%x\" 7 \"ab\" 42 \"q\" 255}}", "    7|ab   |00042|\"q\"|ff"),
        ("{{printf \"%.2f %d\" 1.5 \"x\"}}", "1.50 %!d(string=x)"),
        ("{{printf \"%s %s\" \"a\"}}", "a %!s(MISSING)"),
        ("{{printf \"%%\"}}", "%"),
        ("{{print \"a\" 1 2 \"b\"}}", "a1 2b"),
        ("{{len .Args}} {{len .Config.Labels}} {{len .Name}} {{len .Config.Entrypoint}}", "2 2 4 0"),
        ("{{index .Config.Labels \"k\"}}", "v"),
        ("{{index .Args 1}}", "echo"),
        ("{{index .Config.Labels \"nope\"}}", ""),
        ("{{slice .Id 0 4}} {{slice .Args 1}}", "0123 [echo]"),
        ("{{eq .State.Status \"running\"}} {{eq 1 2 3 1}} {{ne .State.Pid 42}}", "true true false"),
        ("{{lt 1 2}} {{le 2 2}} {{gt \"b\" \"a\"}} {{ge 1 2}}", "true true true false"),
        ("{{and .State.Running .Name}} {{or .Config.Entrypoint \"none\"}} {{not .State.Running}}", "/web none false"),
    ])
    func builtins(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test("pipes pass the value as the last argument", arguments: [
        ("{{.Id | printf \"%.12s\"}}", "0123456789ab"),
        ("{{.Name | upper}}", "/WEB"),
        ("{{.Name | printf \"%s!\" | upper}}", "/WEB!"),
        ("{{.Config.Labels | len}}", "2"),
        ("{{\"a,b\" | split \",\" | len}}", "1"),
        ("{{(index .Args 0) | upper}}", "-C"),
        ("{{.Config.Labels | json}}", "{\"a\":\"b\",\"k\":\"v\"}"),
    ])
    func pipes(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test("if, else if, with, range and variables", arguments: [
        ("{{if .State.Running}}up{{else}}down{{end}}", "up"),
        ("{{if not .State.Running}}down{{else if eq .State.Pid 42}}pid42{{else}}other{{end}}", "pid42"),
        ("{{if .Config.Entrypoint}}ep{{end}}", ""),
        ("{{with .State}}{{.Status}}/{{.Pid}}{{end}}", "running/42"),
        ("{{with .Config.Entrypoint}}x{{else}}no entrypoint{{end}}", "no entrypoint"),
        ("{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}", "172.17.0.2 10.0.0.3 "),
        ("{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}};{{end}}", "bridge=172.17.0.2;web=10.0.0.3;"),
        ("{{range $i, $a := .Args}}{{$i}}:{{$a}} {{end}}", "0:-c 1:echo "),
        ("{{range $e := .Config.Env}}[{{$e}}]{{end}}", "[PATH=/bin][A=1]"),
        ("{{range .Config.Entrypoint}}x{{else}}empty{{end}}", "empty"),
        ("{{range .Args}}{{$.Name}}{{.}} {{end}}", "/web-c /webecho "),
        ("{{$n := .Name}}{{$n}} {{$n = \"x\"}}{{$n}}", "/web x"),
        ("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "2"),
        ("{{range .Config.Env}}{{$kv := split . \"=\"}}{{index $kv 0}} {{end}}", "PATH A "),
    ])
    func control(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test("trim markers and comments", arguments: [
        ("a  {{- .Name -}}  b", "a/webb"),
        ("{{range .Args -}}\n  {{.}}\n{{- end}}", "-cecho"),
        ("x{{/* a comment */}}y", "xy"),
        ("x {{- /* c */ -}} y", "xy"),
        ("{{-3}}", "-3"),
    ])
    func trimming(template: String, expected: String) throws {
        #expect(try render(template) == expected)
    }

    @Test("parse errors read like Go's, prefixed as Docker prints them", arguments: [
        ("{{foo .Name}}", "template: :1: function \"foo\" not defined"),
        ("{{.Name", "template: :1: unclosed action"),
        ("{{end}}", "template: :1: unexpected {{end}}"),
        ("{{if .Name}}x", "template: :1: unexpected EOF"),
        ("{{$x}}", "template: :1: undefined variable \"$x\""),
        ("{{}}", "template: :1: missing value for command"),
        ("{{range}}{{end}}", "template: :1: missing value for range"),
        ("{{\"abc}}", "template: :1: unterminated quoted string"),
        ("a\n{{nope}}", "template: :2: function \"nope\" not defined"),
    ])
    func parseErrors(template: String, expected: String) {
        #expect(throws: BerthError(message: "template parsing error: " + expected, exitCode: 1)) {
            try GoTemplate(template)
        }
    }

    @Test("execution errors name the node and its position", arguments: [
        ("{{.Images}}", "template: :1:2: executing \"\" at <.Images>: map has no entry for key \"Images\""),
        ("x {{.State.Nope}}", "template: :1:10: executing \"\" at <.State.Nope>: map has no entry for key \"Nope\""),
        ("{{.Name.Foo}}", "template: :1:7: executing \"\" at <.Name.Foo>: can't evaluate field Foo in type string"),
        ("{{.Config.Healthcheck.Test}}", "template: :1:9: executing \"\" at <.Config.Healthcheck.Test>: nil pointer evaluating interface {}.Test"),
        ("{{index .Args 5}}", "template: :1:2: executing \"\" at <index .Args 5>: error calling index: index out of range: 5"),
        ("{{len 3}}", "template: :1:2: executing \"\" at <len 3>: error calling len: len of type float64"),
        ("{{upper}}", "template: :1:2: executing \"\" at <upper>: wrong number of args for upper: want 1 got 0"),
        ("{{eq .Name 1}}", "template: :1:2: executing \"\" at <eq .Name 1>: error calling eq: incompatible types for comparison"),
        ("{{.Name | .Id}}", "template: :1:10: executing \"\" at <.Id>: can't give argument to non-function .Id"),
        ("{{range .State}}{{end}}", "template: :1:8: executing \"\" at <.State>: range can't iterate over {running true 42}"),
        ("\n {{.Nope}}", "template: :2:3: executing \"\" at <.Nope>: map has no entry for key \"Nope\""),
    ])
    func executionErrors(template: String, expected: String) throws {
        let t = try GoTemplate(template)
        #expect(throws: BerthError(message: "template parsing error: " + expected, exitCode: 1)) { try t.render(value) }
    }

    @Test("a formatter context names its Go type for unknown fields, and marshals with sorted keys")
    func formatterContext() throws {
        let row = TemplateValue.fields(["Names": "web", "ID": "abc"], type: "*formatter.ContainerContext")
        #expect(try GoTemplate("{{json .}}").render(row) == #"{"ID":"abc","Names":"web"}"#)
        #expect(throws: BerthError(
            message: "template parsing error: template: :1:2: executing \"\" at <.Foo>: can't evaluate field Foo in type *formatter.ContainerContext",
            exitCode: 1)) { try GoTemplate("{{.Foo}}").render(row) }
    }

    @Test("table: header from the fields, columns aligned like Go's tabwriter")
    func table() throws {
        let t = try GoTemplate("table {{.ID}}\t{{.Status | upper}}\t{{.Image}}")
        #expect(t.isTable)
        var tw = TabWriter()
        tw.add(t.header(PsCommand.titles))
        tw.add(try t.render(.fields(["ID": "abc", "Status": "Up 2 seconds", "Image": "busybox"])))
        #expect(tw.render() == """
            CONTAINER ID   STATUS         IMAGE
            abc            UP 2 SECONDS   busybox
            """)
    }
}
