import BerthCore
import Testing

struct NameResolverTests {
    let candidates: [(id: String, name: String, value: Int)] = [
        (id: "abc123" + String(repeating: "0", count: 58), name: "web", value: 1),
        (id: "abd456" + String(repeating: "0", count: 58), name: "db", value: 2),
        (id: "f00000" + String(repeating: "0", count: 58), name: "abc", value: 3),
    ]

    @Test("exact ID, then name, then unique prefix", arguments: [
        ("web", 1), ("/web", 1), ("db", 2), ("abc1", 1), ("abd", 2), ("f0", 3),
        // a name that is also a prefix of another ID: the name wins, as in Docker
        ("abc", 3),
    ])
    func resolves(ref: String, expected: Int) {
        guard case .found(let v) = NameResolver.resolve(ref, in: candidates) else {
            Issue.record("\(ref) did not resolve")
            return
        }
        #expect(v == expected)
    }

    @Test("ambiguous and missing references")
    func failures() {
        if case .ambiguous = NameResolver.resolve("ab", in: candidates) {} else { Issue.record("ab should be ambiguous") }
        if case .none = NameResolver.resolve("zz", in: candidates) {} else { Issue.record("zz should be missing") }
        if case .none = NameResolver.resolve("", in: candidates) {} else { Issue.record("empty should be missing") }
    }

    @Test("Docker's container name rule", arguments: [
        ("web", true), ("my-web.1_a", true), ("a", false), ("-x", false), ("_x", false), ("a b", false), ("웹", false),
    ])
    func names(name: String, valid: Bool) {
        #expect(NameResolver.isValidName(name) == valid)
    }

    @Test("random container IDs are 64 hex and not all-numeric in the short form")
    func randomIDs() {
        for _ in 0..<200 {
            let id = ContainerID.random()
            #expect(id.rawValue.count == 64)
            let allDigits = id.short.allSatisfy { $0.isNumber }
            #expect(!allDigits)
        }
    }
}
