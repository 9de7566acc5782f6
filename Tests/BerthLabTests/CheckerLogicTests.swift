import BerthRuntime
import Foundation
import Testing

@testable import BerthLab

/// The checker's rules on a made-up snapshot: alternative routes pass, near misses fail with
/// the reason. Fast and root-free; `CheckerStateTests` repeats the key cases on real state.
@Suite("Checker on fixture state")
struct CheckerLogicTests {
    let busyboxID = "sha256:" + hexID("b")
    let debianID = "sha256:" + hexID("d")

    func state(_ containers: [ContainerFacts] = []) -> FixtureState {
        let s = FixtureState()
        s.addImage("busybox:latest", id: busyboxID)
        s.addImage("debian:12", id: debianID)
        s.containerList = containers
        return s
    }

    func web(_ status: ContainerStatus = .running, name: String = "web", typed: String = "busybox",
             ports: [String: [PortBindingFacts]] = [:]) -> ContainerFacts {
        ContainerFacts(id: hexID(name.first!), name: name, imageRef: typed, imageID: busyboxID, status: status,
                       tty: true, interactive: true, command: ["sh"], hostname: String(hexID(name.first!).prefix(12)),
                       portBindings: ports)
    }

    func failure(_ check: Check, _ s: FixtureState, output: String = "") -> CheckFailure? {
        s.checker.evaluate([check], context: CheckContext(lastOutput: output)).firstFailure
    }

    @Test("a running container is found by name, by ancestor, and by the image as typed")
    func runningByNameOrAncestor() {
        let s = state([web(typed: "docker.io/library/busybox:latest")])
        #expect(failure(.container(ContainerFilter(name: "web", states: [.running])), s) == nil)
        #expect(failure(.container(ContainerFilter(ancestor: "busybox", states: [.running])), s) == nil)
        #expect(failure(.container(ContainerFilter(image: "busybox", states: [.running])), s) == nil)
        #expect(failure(.container(ContainerFilter(ancestor: "debian:12")), s) == .noContainer("ancestor=debian:12"))
    }

    @Test("a stopped container fails a running check, and says so")
    func stoppedIsANearMiss() {
        let s = state([web(.exited)])
        #expect(failure(.container(ContainerFilter(name: "web", states: [.running])), s)
            == .wrongState(name: "web", actual: "exited", wanted: ["running"]))
        #expect(failure(.container(ContainerFilter(name: "web", states: [.exited, .created])), s) == nil)
    }

    @Test("one matching container among several is enough")
    func anyMatchingContainer() {
        let s = state([web(.exited, name: "old"), web(.running, name: "new")])
        #expect(failure(.container(ContainerFilter(ancestor: "busybox", states: [.running])), s) == nil)
    }

    @Test("exit codes: exact, not, and only once exited")
    func exitCodes() {
        var exited = web(.exited)
        exited.exitCode = 1
        let s = state([exited])
        #expect(failure(.container(ContainerFilter(name: "web", exitCode: 1)), s) == nil)
        #expect(failure(.container(ContainerFilter(name: "web", exitCodeNot: 0)), s) == nil)
        #expect(failure(.container(ContainerFilter(name: "web", exitCode: 0)), s)
            == .wrongExitCode(name: "web", actual: 1, wanted: 0, not: false))
        #expect(failure(.container(ContainerFilter(name: "web", exitCode: 0)), state([web(.running)]))
            == .wrongState(name: "web", actual: "running", wanted: ["exited"]))
    }

    @Test("ports: any host port by default, a fixed one or address when asked, random when asked")
    func ports() {
        let bound = web(ports: ["80/tcp": [PortBindingFacts(hostIP: "", hostPort: "8081")]])
        let s = state([bound])
        let anyPort = ContainerFilter(ancestor: "busybox", ports: [PortExpectation(container: "80")])
        #expect(failure(.container(anyPort), s) == nil)
        #expect(failure(.container(ContainerFilter(ports: [PortExpectation(container: "80/tcp", host: "8080")])), s)
            == .missingPort(name: "web", port: "8080->80/tcp"))
        #expect(failure(.container(ContainerFilter(ports: [PortExpectation(container: "80/tcp", hostIP: "127.0.0.1")])), s)
            != nil)
        #expect(failure(.container(ContainerFilter(ports: [PortExpectation(container: "443/tcp")])), s) != nil)

        let random = web(ports: ["80/tcp": [PortBindingFacts(hostIP: "", hostPort: "")]])
        let r = state([random])
        r.detailsByID[random.id] = ContainerDetails(publishedPorts: ["80/tcp": [PortBindingFacts(hostIP: "0.0.0.0", hostPort: "32768")]])
        #expect(failure(.container(ContainerFilter(ports: [PortExpectation(container: "80/tcp", random: true)])), r) == nil)
        #expect(failure(.container(ContainerFilter(ports: [PortExpectation(container: "80/tcp", host: "32768")])), r) == nil)
        #expect(failure(.container(ContainerFilter(ports: [PortExpectation(container: "80/tcp", random: true)])), s) != nil)
    }

    @Test("container_count counts what meets the whole filter")
    func counts() {
        let s = state([web(.exited, name: "a"), web(.created, name: "b"), web(.running, name: "keeper")])
        let stopped = ContainerFilter(states: [.exited, .created])
        #expect(failure(.containerCount(ContainerCount(filter: stopped, comparison: .equals(2))), s) == nil)
        #expect(failure(.containerCount(ContainerCount(filter: stopped, comparison: .equals(0))), s)
            == .wrongCount(actual: 2, wanted: "0"))
        #expect(failure(.containerCount(ContainerCount(filter: ContainerFilter(name: "gone"), comparison: .equals(0))), s) == nil)
    }

    @Test("images: present, absent, same image, and the wrong tag")
    func images() {
        let s = state()
        s.addImage("mybox:v1", id: busyboxID)
        s.addImage("mybox:1", id: debianID)
        #expect(failure(.imagePresent(ImageCheck(ref: "mybox:v1", sameAs: "busybox")), s) == nil)
        #expect(failure(.imagePresent(ImageCheck(ref: "mybox:1", sameAs: "busybox")), s)
            == .imageDiffers(ref: "mybox:1", sameAs: "busybox"))
        #expect(failure(.imagePresent(ImageCheck(ref: "mybox")), s) == .imageMissing("mybox"))  // that is mybox:latest
        #expect(failure(.imageAbsent(ImageCheck(ref: "mybox:v2")), s) == nil)
        #expect(failure(.imageAbsent(ImageCheck(ref: "mybox:v1")), s) == .imageStillPresent("mybox:v1"))
    }

    @Test("layer_shared: same chain on disk, or not")
    func layerShared() {
        let s = state()
        let base = LayerFacts(chainID: "sha256:" + hexID("1"), diffDir: "/x", onDisk: true)
        let top = LayerFacts(chainID: "sha256:" + hexID("2"), diffDir: "/y", onDisk: true)
        s.addImage("busybox:latest", id: busyboxID, layers: [base])
        s.addImage("berth-lab/hello:1", id: "sha256:" + hexID("e"), layers: [base, top])
        s.addImage("other:1", id: "sha256:" + hexID("f"), layers: [top])
        #expect(failure(.layerShared(LayerSharedCheck(images: ["busybox", "berth-lab/hello:1"])), s) == nil)
        #expect(failure(.layerShared(LayerSharedCheck(images: ["busybox", "other:1"])), s) == .layersNotShared(["busybox", "other:1"]))
        s.addImage("gone:1", id: "sha256:" + hexID("a"), layers: [LayerFacts(chainID: base.chainID, diffDir: nil, onDisk: false)])
        #expect(failure(.layerShared(LayerSharedCheck(images: ["gone:1"], layers: 1)), s) == .layersMissing("gone:1"))
    }

    @Test("output checks expand placeholders, and a regex placeholder matches literally")
    func output() {
        let s = state([web()])
        s.stateRoot = "/tmp/x.y"
        let id = hexID("w")
        #expect(failure(.outputContains(OutputCheck(.text("${id web}"))), s, output: "[{\"Id\": \"\(id)\"}]") == nil)
        #expect(failure(.outputContains(OutputCheck(.text("${id web}"))), s, output: String(id.prefix(12))) != nil)
        let du = OutputCheck(.regex(#"(?m)^\s*[0-9.]+[KMG]?\s+${root}/overlay2/?$"#))
        #expect(failure(.outputContains(du), s, output: "4.0K\t/tmp/x.y/image\r\n12M\t/tmp/x.y/overlay2\r\n") == nil)
        #expect(failure(.outputContains(du), s, output: "12M\t/tmp/xay/overlay2\n") != nil)
        #expect(failure(.outputContains(OutputCheck(.text("${id nobody}"))), s, output: "") == .unresolved("${id nobody}"))
    }

    @Test("any_of passes on any alternative and reports the first failure otherwise")
    func anyOf() {
        let s = state()
        let a = Check.outputContains(OutputCheck(.regex(#":\d+->80/tcp"#)))
        let b = Check.outputContains(OutputCheck(.regex(#"(?m)^80/tcp -> "#)))
        #expect(failure(.anyOf([a, b]), s, output: "80/tcp -> 0.0.0.0:32768") == nil)
        #expect(failure(.anyOf([a, b]), s, output: "0.0.0.0:32768->80/tcp") == nil)
        #expect(failure(.anyOf([a, b]), s, output: "nothing") != nil)
    }

    @Test("exec: runs in a running container only")
    func exec() {
        let s = state([web(.exited)])
        s.execAnswer = (0, "inet 172.17.0.2/16 scope global eth0")
        let check = Check.exec(ExecCheck(container: ContainerFilter(name: "web"), command: ["ip", "addr"], stdoutContains: "inet 172."))
        #expect(failure(check, s) == .notRunning("name=web"))
        s.containerList = [web(.running)]
        #expect(failure(check, s) == nil)
        s.execAnswer = (0, "inet 10.0.0.2/8")
        #expect(failure(check, s) == .execOutput(name: "web", missing: "inet 172."))
    }

    @Test("every check kind the lessons use can be evaluated on an empty state without crashing")
    func lessonsOnEmptyState() throws {
        let library = try LessonLoader.loadLibrary(from: lessonsRoot)
        let s = FixtureState()
        for lesson in library.lessons {
            for step in lesson.steps {
                let checks = step.checks.filter { !$0.isSlow }
                let result = s.checker.evaluate(checks, context: CheckContext())
                // Nothing exists yet, so a step that checks for something must fail.
                if checks.contains(where: { if case .imagePresent = $0 { true } else { false } }) { #expect(!result.passed) }
                for r in result.results { _ = r.failure?.text(.ko); _ = r.failure?.text(.en) }
            }
        }
    }

    @Test("command: the learner's last line ran one of the subcommands, as the matcher names them")
    func commandCheck() {
        let s = state()
        func ran(_ line: String?, _ names: [String]) -> Bool {
            s.checker.evaluate([.command(names)], context: CheckContext(lastLine: line)).passed
        }
        #expect(ran("docker pull busybox", ["pull"]))
        #expect(ran("docker image pull debian:12", ["pull"]))
        #expect(ran("sudo docker container ls -a", ["ps"]))
        #expect(!ran("ls", ["pull"]))
        #expect(!ran(nil, ["pull"]))
        #expect(!ran("docker exec net1 ifconfig", ["inspect"]))
        #expect(ran("docker container inspect net1", ["inspect"]))
        #expect(s.checker.evaluate([.command(["pull"])], context: CheckContext(lastLine: "ls")).firstFailure
            == .commandNotRun(["pull"]))
    }

    @Test("in_chapter: counts only the current chapter's containers")
    func inChapterCount() {
        var mine = web(.exited, name: "mine")
        mine.labChapter = "02-containers"
        var other = web(.running, name: "other")
        other.labChapter = "03-binding"
        let own = web(.exited, name: "own")
        let s = state([mine, other, own])
        let none = Check.containerCount(ContainerCount(filter: ContainerFilter(inChapter: true), comparison: .equals(0)))
        let context = CheckContext(chapter: "02-containers")
        #expect(s.checker.evaluate([none], context: context).firstFailure == .wrongCount(actual: 1, wanted: "0"))
        s.containerList = [other, own]
        #expect(s.checker.evaluate([none], context: context).passed)
        let all = Check.containerCount(ContainerCount(filter: ContainerFilter(), comparison: .equals(0)))
        #expect(!s.checker.evaluate([all], context: context).passed)
    }

    @Test("${host_port 80}: the newest container's bound or published host port")
    func hostPortPlaceholder() {
        let older = web(name: "older", ports: ["80/tcp": [PortBindingFacts(hostIP: "", hostPort: "18080")]])
        let newer = web(name: "newer", ports: ["80/tcp": [PortBindingFacts(hostIP: "127.0.0.1", hostPort: "18123")]])
        let s = state([newer, older])
        #expect(s.checker.expand("curl localhost:${host_port 80}") == "curl localhost:18123")
        s.containerList = [older]
        #expect(s.checker.expand("port ${host_port 80/tcp}") == "port 18080")
        s.containerList = []
        #expect(s.checker.expand("curl localhost:${host_port 80}") == "curl localhost:${host_port 80}")
    }

    @Test("${lab_dir}: the learner's lab folder, in texts and in a host file check's path")
    func labDirPlaceholder() throws {
        try withTemporaryDirectory { dir in
            let s = state([web(name: "box1")])
            var checker = s.checker
            #expect(checker.expand("cp box1:/etc/hostname ${lab_dir}/h") == "cp box1:/etc/hostname ${lab_dir}/h")
            let check = Check.file(FileCheck(location: .host, path: "${lab_dir}/box1-hostname", contains: "${hostname box1}"))
            #expect(checker.evaluate([check], context: CheckContext()).firstFailure == .unresolved("${lab_dir}"))
            checker.labDirectory = dir
            #expect(checker.expand("cp box1:/etc/hostname ${lab_dir}/h") == "cp box1:/etc/hostname \(dir)/h")
            // The failure names the real path, not the placeholder.
            #expect(checker.evaluate([check], context: CheckContext()).firstFailure
                == .fileMissing(place: .host, path: dir + "/box1-hostname"))
            try (hexID("b").prefix(12) + "\n").write(toFile: dir + "/box1-hostname", atomically: true, encoding: .utf8)
            #expect(checker.evaluate([check], context: CheckContext()).passed)
        }
    }

    @Test("stateOnly: lab check leaves out what only the last command proves, any_of included")
    func stateOnly() {
        let image = Check.imagePresent(ImageCheck(ref: "busybox"))
        let output = Check.outputContains(OutputCheck(.text("x")))
        #expect(image.stateOnly == image)
        #expect(output.stateOnly == nil)
        #expect(Check.command(["pull"]).stateOnly == nil)
        #expect(Check.anyOf([image, output]).stateOnly == nil)
        #expect(Check.anyOf([image, .imageAbsent(ImageCheck(ref: "x"))]).stateOnly != nil)
    }
}
