import Foundation
import Testing

@testable import BerthLab

@Suite("Texts and placeholders")
struct TextAndPlaceholderTests {
    @Test("`## key` headings split a text file; code fences are kept whole")
    func catalog() throws {
        let md = "# comment\nignored\n\n## a.goal\nLine one.\n\nLine two.\n\n## b\n```\n## not a key\n```\n"
        let texts = try TextCatalog.parse(md)
        #expect(texts == ["a.goal": "Line one.\n\nLine two.", "b": "```\n## not a key\n```"])
        #expect(throws: TextCatalog.Problem.self) { try TextCatalog.parse("## a\n\n## b\ntext\n") }
    }

    @Test("placeholders parse, validate and expand")
    func placeholders() throws {
        #expect(try Placeholder.scan("ls ${root}/overlay2").map(\.placeholder) == [Placeholder(kind: .root)])
        #expect(try Placeholder.expand("${id web} ${root}") { $0.kind == .root ? "/r" : "ID" } == "ID /r")
        let escaped = try Placeholder.expand("^${root}$", forRegex: true) { _ in "/a.b" }
        #expect(try NSRegularExpression(pattern: escaped).firstMatch(in: "/a.b", range: NSRange(location: 0, length: 4)) != nil)
        #expect(try NSRegularExpression(pattern: escaped).firstMatch(in: "/axb", range: NSRange(location: 0, length: 4)) == nil)
        #expect(throws: PlaceholderError.self) { try Placeholder.scan("${id}") }
        #expect(throws: PlaceholderError.self) { try Placeholder.scan("${root x}") }
        #expect(throws: PlaceholderError.self) { try Placeholder.scan("${nope}") }
        #expect(try Placeholder.scan("echo $((i+1)) $HOME").isEmpty)
    }

    @Test("a library finds chapters by id, number or name")
    func lookup() throws {
        let library = try LessonLoader.loadLibrary(from: lessonsRoot)
        #expect(library.lesson("03")?.id == "03-binding")
        #expect(library.lesson("3")?.id == "03-binding")
        #expect(library.lesson("apache")?.id == "04-apache")
        #expect(library.lesson("05-storage")?.id == "05-storage")
        #expect(library.lesson("nope") == nil)
    }
}
