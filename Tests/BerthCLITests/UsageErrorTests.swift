import Testing

@testable import BerthCLI

/// Usage errors read as docker/cli 28 prints them (checked against its client on this machine).
@Suite struct UsageErrorTests {
    @Test("a missing argument names the arity, Docker's usage line and exits 1")
    func missingArguments() {
        let (run, code) = BerthCommand.dockerStyle("Error: Missing expected argument '<image>'", argv: ["run"])
        #expect(code == 1)
        #expect(run == """
            docker: 'docker run' requires at least 1 argument

            Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]

            See 'docker run --help' for more information
            """)
        #expect(BerthCommand.dockerStyle("x", argv: ["logs"]).0.hasPrefix("x"))  // not a usage error: as it was
        // Exact and ranged arities end "Run ...", minimums "See ..." (cobra via docker/cli required.go).
        #expect(BerthCommand.dockerStyle("Error: \"docker rename\" requires 2", argv: ["rename", "a"]).0 == """
            docker: 'docker rename' requires 2 arguments

            Usage:  docker rename CONTAINER NEW_NAME

            Run 'docker rename --help' for more information
            """)
        #expect(BerthCommand.dockerStyle("Error: Missing expected argument", argv: ["port"]).0
            .hasSuffix("\n\nRun 'docker port --help' for more information"))
        #expect(BerthCommand.dockerStyle("Error: Unexpected argument 'b'", argv: ["logs", "a", "b"]).0
            .hasPrefix("docker: 'docker logs' requires 1 argument"))
        #expect(BerthCommand.dockerStyle("Error: Missing expected argument '<volumes>'", argv: ["volume", "rm"]).0
            .contains("Usage:  docker volume rm [OPTIONS] VOLUME [VOLUME...]"))
        #expect(BerthCommand.dockerStyle("Error: Missing expected argument", argv: ["container", "logs"]).0
            .contains("Usage:  docker container logs [OPTIONS] CONTAINER"))
    }

    @Test("unknown flags exit 125 with the usage; an unknown command exits 1")
    func unknownFlagsAndCommands() {
        let (flag, code) = BerthCommand.dockerStyle("Error: Unknown option '--bogus'", argv: ["ps", "--bogus"])
        #expect(code == 125)
        #expect(flag == "unknown flag: --bogus\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information")
        let (short, _) = BerthCommand.dockerStyle("Error: Unknown option '-n'", argv: ["run", "-name", "x", "busybox"])
        #expect(short.hasPrefix("unknown shorthand flag: 'n' in -name\n\nUsage:  docker run [OPTIONS]"))
        let (single, _) = BerthCommand.dockerStyle("Error: Unknown option '-x'", argv: ["ps", "-x"])
        #expect(single == "unknown shorthand flag: 'x' in -x\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information")
        let (command, status) = BerthCommand.dockerStyle("Error: Unexpected argument 'bogus'", argv: ["bogus"])
        #expect(status == 1)
        #expect(command == "docker: unknown command: docker bogus\n\nRun 'docker --help' for more information")
    }
}
