@testable import BerthBuild
import BerthCore
import Testing

@Suite("Dockerfile parser")
struct DockerfileTests {
    @Test("comments, blank lines and continuations join into Docker's logical lines")
    func continuations() throws {
        let file = try Dockerfile.parse("""
            # syntax comment
            FROM busybox

            RUN echo a && \\
            # a comment inside the continuation
                echo b
            CMD ["sh", "-c", "echo hi"]
            """)
        #expect(file.instructions.map(\.keyword) == ["FROM", "RUN", "CMD"])
        try #require(file.instructions.count == 3)
        #expect(file.instructions[1].original == "RUN echo a &&     echo b")
        #expect(file.instructions[1].line == 4)
        #expect(file.instructions[1].json == nil)
        #expect(file.instructions[2].json == ["sh", "-c", "echo hi"])
        #expect(file.instructions[2].line == 7)
    }

    @Test("`# escape=` changes the continuation character; lower-case keywords are accepted")
    func escapeDirective() throws {
        let file = try Dockerfile.parse("# escape=`\nfrom busybox\nrun echo a `\n  b\n")
        #expect(file.escape == "`")
        try #require(file.instructions.count == 2)
        #expect(file.instructions[1].keyword == "RUN")
        #expect(file.instructions[1].arguments == "echo a   b")
    }

    @Test("a directive after the first instruction is only a comment")
    func lateDirective() throws {
        let file = try Dockerfile.parse("FROM busybox\n# escape=`\nRUN echo \\\n x\n")
        #expect(file.escape == "\\")
        try #require(file.instructions.count == 2)
        #expect(file.instructions[1].arguments == "echo  x")
    }

    @Test("unknown instruction: Docker's parse error with the line number")
    func unknownInstruction() {
        #expect(throws: BerthError(message: "Error response from daemon: dockerfile parse error line 3: unknown instruction: RUNN", exitCode: 1)) {
            try Dockerfile.parse("FROM busybox\n\nrunn echo\n")
        }
    }

    @Test("flags split off; invalid JSON falls back to the shell form")
    func flagsAndJSON() throws {
        let file = try Dockerfile.parse("FROM busybox\nCOPY --chown=1:2 a b /c/\nCMD [\"a\", 'b']\nRUN [\"echo\",\"x\"]\n")
        try #require(file.instructions.count == 4)
        #expect(file.instructions[1].flags == ["--chown=1:2"])
        #expect(file.instructions[1].flag("chown") == "1:2")
        #expect(file.instructions[1].arguments == "a b /c/")
        #expect(file.instructions[2].json == nil)
        #expect(file.instructions[3].json == ["echo", "x"])
    }
}

@Suite("Variable substitution")
struct ShellLexTests {
    let env = ["NAME": "web", "EMPTY": "", "PORT": "8080"]

    @Test("Docker's forms", arguments: [
        ("$NAME", "web"), ("${NAME}", "web"), ("${NAME}-x", "web-x"), ("$NAME.conf", "web.conf"),
        ("${MISSING:-def}", "def"), ("${EMPTY:-def}", "def"), ("${EMPTY-def}", ""), ("${NAME:-def}", "web"),
        ("${NAME:+alt}", "alt"), ("${MISSING:+alt}", ""), ("'$NAME'", "$NAME"), ("\"$NAME x\"", "web x"),
        ("\\$NAME", "$NAME"), ("a\\ b", "a b"), ("$", "$"), ("${MISSING:-${PORT}}", "8080"), ("$MISSING", ""),
    ])
    func substitutes(input: String, expected: String) throws {
        #expect(try ShellLex().processWord(input, env: env) == expected)
    }

    @Test("words split on blanks outside quotes, quotes kept for processWord")
    func words() throws {
        let lex = ShellLex()
        #expect(lex.splitWords("A=1 B=\"two words\"  C='x y'") == ["A=1", "B=\"two words\"", "C='x y'"])
        #expect(try lex.processWords("$NAME \"$PORT/tcp\"", env: env) == ["web", "8080/tcp"])
    }

    @Test("${VAR:?} on an unset variable is an error")
    func required() {
        #expect(throws: BerthError.self) { try ShellLex().processWord("${MISSING:?}", env: [:]) }
    }
}

@Suite(".dockerignore")
struct DockerIgnoreTests {
    @Test("*, **, ! and directory patterns", arguments: [
        ("secret.txt", true), ("a/secret.txt", false), ("notes.md", true), ("docs/keep.md", false),
        ("docs/other.md", true), ("build/out/x.o", true), ("src/deep/x.tmp", true), ("src/x.go", false),
        ("node_modules/pkg/index.js", true), ("README.md", false),
    ])
    func matches(path: String, excluded: Bool) {
        let ignore = DockerIgnore("""
            # comment
            secret.txt
            *.md
            docs/*.md
            !docs/keep.md
            !README.md
            build
            **/*.tmp
            /node_modules
            """)
        #expect(ignore.excludes(path) == excluded)
    }
}

@Suite("History text")
struct GoQuoteTests {
    @Test("CMD lists as Go's %q writes them")
    func quotes() {
        #expect(GoQuote.list(["cat", "/app/run.txt"]) == "[\"cat\" \"/app/run.txt\"]")
        #expect(GoQuote.list(["sh", "-c", "echo \"hi\"\n"]) == "[\"sh\" \"-c\" \"echo \\\"hi\\\"\\n\"]")
    }

    @Test("context size as Docker prints it")
    func sizes() {
        #expect(HumanSize.string(2048, precision: 4) == "2.048kB")
        #expect(HumanSize.string(512, precision: 4) == "512B")
        #expect(HumanSize.string(1_234_567, precision: 4) == "1.235MB")
    }
}
