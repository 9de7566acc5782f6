import BerthCore
import BerthRuntime
import Testing

/// `-v` as Docker's CLI reads it: bind, named volume or anonymous volume; bad text refused
/// with Docker's words before anything is created.
@Suite struct MountSpecTests {
    struct Good: CustomTestStringConvertible, Sendable {
        var text: String
        var expected: MountSpec
        var testDescription: String { text }
    }

    @Test(arguments: [
        Good(text: "/srv/www:/usr/share/html", expected: .bind(.init(source: "/srv/www", destination: "/usr/share/html", readOnly: false))),
        Good(text: "/srv/www/:/data/:ro", expected: .bind(.init(source: "/srv/www", destination: "/data", readOnly: true))),
        Good(text: "dbdata:/var/lib/db", expected: .volume(name: "dbdata", destination: "/var/lib/db", readOnly: false, copyData: true)),
        Good(text: "my.vol_1-x:/data:ro", expected: .volume(name: "my.vol_1-x", destination: "/data", readOnly: true, copyData: true)),
        Good(text: "cache:/data:nocopy", expected: .volume(name: "cache", destination: "/data", readOnly: false, copyData: false)),
        Good(text: "cache:/data:ro,z", expected: .volume(name: "cache", destination: "/data", readOnly: true, copyData: true)),
        Good(text: "/data", expected: .anonymous(destination: "/data")),
        Good(text: "/var/lib/x/", expected: .anonymous(destination: "/var/lib/x")),
    ])
    func parses(_ c: Good) throws {
        #expect(try MountSpec(parsing: c.text) == c.expected)
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var text: String
        var message: String
        var testDescription: String { text }
    }

    static let invalidChars = #"includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path"#

    @Test(arguments: [
        Bad(text: "../x:/data", message: #"Error response from daemon: create ../x: "../x" "# + invalidChars),
        Bad(text: "a/b:/data", message: #"Error response from daemon: create a/b: "a/b" "# + invalidChars),
        Bad(text: ".hidden:/data", message: #"Error response from daemon: create .hidden: ".hidden" "# + invalidChars),
        Bad(text: "x:/data", message: "Error response from daemon: create x: volume name is too short, names should be at least two alphanumeric characters"),
        Bad(text: "/data:ro", message: "invalid volume specification: '/data:ro'"),
        Bad(text: "a:b:c:d", message: "invalid volume specification: 'a:b:c:d'"),
        Bad(text: "vol::/x", message: "invalid volume specification: 'vol::/x'"),
        Bad(text: "data", message: #"invalid volume specification: 'data': invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute"#),
        Bad(text: "vol:rel", message: #"invalid volume specification: 'vol:rel': invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute"#),
        Bad(text: "vol:/", message: #"invalid volume specification: 'vol:/': invalid mount config for type "volume": invalid specification: destination can't be '/'"#),
        Bad(text: "vol:/data:rx", message: "invalid mode: rx"),
        Bad(text: "/h:/data:nocopy", message: "invalid mode: nocopy"),
    ])
    func refuses(_ c: Bad) {
        #expect(throws: BerthError(message: c.message, exitCode: 125)) { try MountSpec(parsing: c.text) }
    }

    @Test func volumeNames() {
        for good in ["ab", "my-vol", "A1.b_c", String(repeating: "f", count: 64)] { #expect(VolumeName.isValid(good), "\(good)") }
        for bad in ["", "-x", "_x", "..", "a/b", "a b", "vol:1", "é1"] { #expect(!VolumeName.isValid(bad), "\(bad)") }
        let random = VolumeName.random()
        #expect(random.count == 64 && VolumeName.isValid(random))
        #expect(throws: BerthError.volumeNameTooShort("a")) { try VolumeName.validate("a") }
    }
}
