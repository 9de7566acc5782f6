import Testing

@testable import BerthLab

@Suite("Mistake matcher")
struct MistakeMatcherTests {
    static let common: [Mistake] = {
        (try? LessonLoader.loadCommon(at: lessonsRoot + "/common").mistakes) ?? []
    }()
    let matcher = MistakeMatcher(hostAddresses: { ["10.0.2.15", "fe80::1"] })

    func hints(_ line: String, _ mistakes: [Mistake] = common) -> [String] {
        matcher.match(line, against: mistakes).map(\.hint)
    }

    @Test("`-name` with one dash is caught; `--name` is not")
    func singleDashName() {
        #expect(hints("docker run -name web busybox") == ["mistake.single-dash-name"])
        #expect(hints("docker run --name web busybox").isEmpty)
        #expect(hints("sudo docker create -i -t -name web debian:12") == ["mistake.single-dash-name"])
        // Outside a docker command, `-name` is find's option, not a mistake.
        #expect(hints("find / -name hello.txt").isEmpty)
    }

    @Test("`.Images` in a format string is caught; `.Image` is not")
    func formatImages() {
        #expect(hints(#"docker ps --format "table {{.ID}}\t{{.Status}}\t{{.Images}}""#) == ["mistake.format-images"])
        #expect(hints(#"docker ps --format 'table {{ .Images }}'"#) == ["mistake.format-images"])
        #expect(hints(#"docker ps --format "table {{.ID}}\t{{.Status}}\t{{.Image}}""#).isEmpty)
    }

    @Test("`exec --name` is caught; exec with a name argument is not")
    func execName() {
        #expect(hints("docker exec -it --name box1 /bin/sh") == ["mistake.exec-name"])
        #expect(hints("docker exec -it box1 sh").isEmpty)
        #expect(hints("docker run -it --name box1 busybox").isEmpty)
    }

    @Test("-p with an address this host lacks is caught", arguments: [
        ("docker run -d -p 192.168.0.100:7777:80 busybox", true),
        ("docker run -d -p127.0.0.1:8080:80 busybox", false),
        ("docker run -d --publish=10.0.2.15:8080:80 busybox", false),
        ("docker run -d -p 0.0.0.0:8080:80 busybox", false),
        ("docker run -d -p 8080:80 -p 80 busybox", false),
        ("docker run -d --publish 192.168.0.100:7777:80 busybox", true),
        ("docker run -d -p [fe80::1]:80:80 busybox", false),
    ])
    func publishAddress(line: String, caught: Bool) {
        #expect(hints(line).contains("mistake.publish-unknown-ip") == caught)
    }

    @Test("a quoted command where $(...) was meant is caught")
    func quotedSubstitution() {
        #expect(hints("docker rm 'docker ps -a -q'") == ["mistake.quoted-substitution"])
        #expect(hints("docker rm $(docker ps -a -q)").isEmpty)
        #expect(hints("docker stop `docker ps -a -q`").isEmpty)
        #expect(hints("docker rm \"$(docker ps -a -q)\"").isEmpty)
    }

    @Test("the notes' images point to the offline stand-in")
    func offlineImages() {
        #expect(hints("docker run -i -t ubuntu:14.04") == ["mistake.offline-image"])
        #expect(hints("docker pull centos:7") == ["mistake.offline-image"])
        #expect(hints("docker pull debian:12").isEmpty)
        #expect(hints("docker run -d -p 8080:8080 tomcat:9.0-jdk17") == ["mistake.offline-image"])
        #expect(hints("docker run -d --name tc -p 8080:8080 tomcat") == ["mistake.offline-image"])
        // Chapter 6 builds this one.
        #expect(hints("docker run -d --name tc -p 8080:8080 tomcat:local").isEmpty)
    }

    @Test("output_regex: a mistake told by what the command printed")
    func outputRegex() {
        let m = [Mistake(when: MistakePattern(commands: ["rmi"], outputRegex: "is using its referenced image"), hint: "in-use")]
        let refused = "Error response from daemon: conflict: unable to remove repository reference \"busybox\" (must force) - container 1 is using its referenced image 2"
        #expect(matcher.match("docker rmi busybox", output: refused, against: m).map(\.hint) == ["in-use"])
        #expect(matcher.match("docker image rm busybox", output: refused, against: m).map(\.hint) == ["in-use"])
        #expect(matcher.match("docker rmi busybox", output: "Untagged: busybox:latest", against: m).isEmpty)
        #expect(matcher.match("docker pull busybox", output: refused, against: m).isEmpty)
    }

    @Test("step mistakes: option values and subcommands")
    func stepPatterns() throws {
        let lesson = try #require(try LessonLoader.loadLibrary(from: lessonsRoot).lesson("03-binding"))
        let publish = try #require(lesson.step("publish"))
        #expect(matcher.match("docker run -d -p 80:8080 busybox httpd -f", step: publish, lesson: lesson).map(\.hint)
            == ["publish.mistake-order"])
        #expect(matcher.match("docker run -d -p 8080:80 busybox httpd -f", step: publish, lesson: lesson).isEmpty)

        // Chapter 4: any container side but 80 is the reversed order, whatever the host port.
        let apache = try #require(try LessonLoader.loadLibrary(from: lessonsRoot).lesson("04-apache"))
        let run = try #require(apache.step("run-debian"))
        for wrong in ["-p 80:8080", "-p 18080:8081", "-p 127.0.0.1:80:9000"] {
            #expect(matcher.match("docker run -i -t --name apache \(wrong) debian:12", step: run, lesson: apache).map(\.hint)
                == ["run-debian.mistake-port"], "\(wrong)")
        }
        for right in ["-p 8080:80", "-p 18123:80", "-p 127.0.0.1:18080:80/tcp"] {
            #expect(matcher.match("docker run -i -t --name apache \(right) debian:12", step: run, lesson: apache).isEmpty, "\(right)")
        }

        let images = try #require(try LessonLoader.loadLibrary(from: lessonsRoot).lesson("02-containers"))
        let start = try #require(images.step("create-start"))
        #expect(matcher.match("docker start busybox", step: start, lesson: images).map(\.hint) == ["create-start.mistake-image"])
        #expect(matcher.match("docker container start busybox:latest", step: start, lesson: images).map(\.hint)
            == ["create-start.mistake-image"])
        #expect(matcher.match("docker start mybox", step: start, lesson: images).isEmpty)
    }

    @Test("one hint per key, even when two patterns match")
    func deduplicates() {
        let m = [Mistake(when: MistakePattern(argvHas: "-name"), hint: "x"), Mistake(when: MistakePattern(argvRegex: "^-na"), hint: "x")]
        #expect(hints("docker run -name a busybox", m) == ["x"])
    }

    @Test("shell words: quotes, escapes, substitutions and separators")
    func shellWords() {
        #expect(ShellWords.commands(#"docker run -e A="b c" 'x y' z\ w"#) == [["docker", "run", "-e", "A=b c", "x y", "z w"]])
        #expect(ShellWords.commands("docker rm $(docker ps -a -q) && echo done | cat; ls")
            == [["docker", "rm", "$(docker ps -a -q)"], ["echo", "done"], ["cat"], ["ls"]])
        #expect(ShellWords.commands("docker stop `docker ps -q` # all of them") == [["docker", "stop", "`docker ps -q`"]])
        #expect(MistakeMatcher.invocations(in: "X=1 sudo docker container prune -f").first?.commands.contains("prune") == true)
    }
}
