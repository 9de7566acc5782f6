import BerthCore
import BerthTestSupport
import Foundation
import Testing

@testable import BerthLab

/// The checker on real state: each test makes the state with the real `berth` binary in a
/// state root of its own, then evaluates checks through the runtime's query API.
/// (`BerthRunner` stands in for `withTemporaryStateRoot`/`BerthProcess.run`, see there why.)
@Suite("Checker on real state", .tags(.root), .enabled(if: isRoot, "needs root: real containers"), .serialized)
struct CheckerStateTests {
    /// Runs `berth ARGS` and insists that it worked.
    @discardableResult
    func run(_ berth: BerthRunner, _ args: String...) throws -> BerthRunner.Result {
        let r = try berth.run(args)
        try #require(r.status == 0, "berth \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    func failure(_ berth: BerthRunner, _ checks: Check..., output: String = "") -> CheckFailure? {
        Checker(paths: berth.paths).evaluate(checks, context: CheckContext(lastOutput: output)).firstFailure
    }

    @Test("volume checks read the real volume store: exists, used_by, a file written through a container")
    func volumes() throws {
        try BerthRunner.withStateRoot { berth in
            #expect(failure(berth, .volume(VolumeCheck(name: "notes"))) == .volumeMissing("notes"))
            try run(berth, "run", "--name", "writer", "-v", "notes:/notes", "busybox", "sh", "-c", "echo saved > /notes/a.txt")
            try run(berth, "run", "--name", "idle", "busybox", "true")
            #expect(failure(berth, .volume(VolumeCheck(name: "notes", usedBy: "writer"))) == nil)
            #expect(failure(berth, .volume(VolumeCheck(name: "notes", usedBy: "idle")))
                == .volumeNotMounted(volume: "notes", container: "idle"))
            #expect(failure(berth, .file(FileCheck(location: .volume("notes"), path: "/a.txt", contains: "saved"))) == nil)
            try run(berth, "rm", "writer")
            try run(berth, "volume", "rm", "notes")
            #expect(failure(berth, .volume(VolumeCheck(name: "notes", exists: false))) == nil)
        }
    }

    @Test("running container: by name, by ancestor, by typed image; stopped fails `state: running`")
    func runningAndStopped() throws {
        try BerthRunner.withStateRoot { berth in
            try run(berth, "run", "-d", "--name", "web", "busybox", "sleep", "300")
            #expect(failure(berth, .container(ContainerFilter(name: "web", states: [.running]))) == nil)
            #expect(failure(berth, .container(ContainerFilter(ancestor: "busybox", states: [.running]))) == nil)
            #expect(failure(berth, .container(ContainerFilter(image: "busybox:latest", states: [.running]))) == nil)
            #expect(failure(berth, .container(ContainerFilter(name: "other"))) != nil)

            try run(berth, "stop", "-t", "1", "web")
            #expect(failure(berth, .container(ContainerFilter(name: "web", states: [.running])))
                == .wrongState(name: "web", actual: "exited", wanted: ["running"]))
            #expect(failure(berth, .container(ContainerFilter(ancestor: "busybox", states: [.exited]))) == nil)
        }
    }

    @Test("create + start and run -itd reach the same state, and both pass")
    func alternativeRoutes() throws {
        try BerthRunner.withStateRoot { berth in
            try run(berth, "create", "-i", "-t", "--name", "c1", "busybox")
            let wanted = ContainerFilter(states: [.running], tty: true, interactive: true)
            var only = wanted
            only.name = "c1"
            #expect(failure(berth, .container(only)) == .wrongState(name: "c1", actual: "created", wanted: ["running"]))
            try run(berth, "start", "c1")
            #expect(failure(berth, .container(only)) == nil)

            try run(berth, "run", "-itd", "--name", "c2", "busybox")
            only.name = "c2"
            #expect(failure(berth, .container(only)) == nil)
            #expect(failure(berth, .containerCount(ContainerCount(filter: wanted, comparison: .equals(2)))) == nil)
        }
    }

    @Test("exit_code and container_count")
    func exitCodeAndCount() throws {
        try BerthRunner.withStateRoot { berth in
            _ = try berth.run(["run", "--name", "three", "busybox", "sh", "-c", "exit 3"])
            _ = try berth.run(["run", "--name", "zero", "busybox", "true"])
            #expect(failure(berth, .container(ContainerFilter(name: "three", exitCode: 3))) == nil)
            #expect(failure(berth, .container(ContainerFilter(name: "three", exitCode: 0)))
                == .wrongExitCode(name: "three", actual: 3, wanted: 0, not: false))
            #expect(failure(berth, .container(ContainerFilter(ancestor: "busybox", exitCodeNot: 0))) == nil)

            let exited = ContainerFilter(states: [.exited])
            #expect(failure(berth, .containerCount(ContainerCount(filter: exited, comparison: .equals(2)))) == nil)
            try run(berth, "rm", "zero")
            #expect(failure(berth, .containerCount(ContainerCount(filter: exited, comparison: .equals(2))))
                == .wrongCount(actual: 1, wanted: "2"))
            #expect(failure(berth, .containerCount(ContainerCount(filter: ContainerFilter(name: "zero"), comparison: .equals(0)))) == nil)
        }
    }

    @Test("image_present / image_absent, including the wrong tag")
    func images() throws {
        try BerthRunner.withStateRoot { berth in
            try run(berth, "create", "--name", "seeder", "busybox")  // builds the seed image, like `pull busybox`
            try run(berth, "tag", "busybox", "mybox:v1")
            #expect(failure(berth, .imagePresent(ImageCheck(ref: "busybox"))) == nil)
            #expect(failure(berth, .imagePresent(ImageCheck(ref: "mybox:v1", sameAs: "busybox:latest"))) == nil)
            #expect(failure(berth, .imagePresent(ImageCheck(ref: "mybox:1"))) == .imageMissing("mybox:1"))
            #expect(failure(berth, .imagePresent(ImageCheck(ref: "mybox"))) == .imageMissing("mybox"))
            #expect(failure(berth, .imageAbsent(ImageCheck(ref: "mybox:v1"))) == .imageStillPresent("mybox:v1"))
            try run(berth, "rmi", "mybox:v1")
            #expect(failure(berth, .imageAbsent(ImageCheck(ref: "mybox:v1"))) == nil)
            #expect(failure(berth, .imagePresent(ImageCheck(ref: "busybox:latest"))) == nil)
            #expect(failure(berth, .layerShared(LayerSharedCheck(images: ["busybox"]))) == nil)
        }
    }

    @Test("a file written in a container is in its own layer, not in the image")
    func fileInContainerLayer() throws {
        try BerthRunner.withStateRoot { berth in
            try run(berth, "run", "-d", "--name", "scratch", "busybox", "sleep", "300")
            try run(berth, "exec", "scratch", "sh", "-c", "echo hello > /hello.txt")
            let inLayer = FileCheck(location: .container(ContainerFilter(name: "scratch"), onlyContainerLayer: true),
                                    path: "/hello.txt", contains: "hello")
            #expect(failure(berth, .file(inLayer)) == nil)
            var wrongText = inLayer
            wrongText.contains = "goodbye"
            #expect(failure(berth, .file(wrongText))
                == .fileContent(place: .containerLayer("scratch"), path: "/hello.txt", missing: "goodbye"))
            // /bin/sh comes from the image: visible in the container, absent from its own layer.
            let sh = FileCheck(location: .container(ContainerFilter(name: "scratch"), onlyContainerLayer: false), path: "/bin/sh")
            #expect(failure(berth, .file(sh)) == nil)
            let shUpper = FileCheck(location: .container(ContainerFilter(name: "scratch"), onlyContainerLayer: true), path: "/bin/sh")
            #expect(failure(berth, .file(shUpper)) == .fileMissing(place: .containerLayer("scratch"), path: "/bin/sh"))
            #expect(failure(berth, .file(FileCheck(location: .image("busybox"), path: "/hello.txt", exists: false))) == nil)
            // exec checks run a command through the runtime, not the CLI.
            let exec = ExecCheck(container: ContainerFilter(ancestor: "busybox"), command: ["cat", "/hello.txt"], stdoutContains: "hello")
            #expect(failure(berth, .exec(exec)) == nil)
            var wrongExec = exec
            wrongExec.stdoutContains = "bye"
            #expect(failure(berth, .exec(wrongExec)) == .execOutput(name: "scratch", missing: "bye"))
            // The placeholder the storage lesson uses resolves to the real upper dir.
            let upper = Checker(paths: berth.paths).expand("${upper_dir scratch}")
            #expect(FileManager.default.fileExists(atPath: upper + "/hello.txt"))
        }
    }

    @Test("one step's checks take at most 20 ms (no HTTP)")
    func stepIsFast() throws {
        try BerthRunner.withStateRoot { berth in
            let lesson = try #require(try LessonLoader.loadLibrary(from: lessonsRoot).lesson("02-containers"))
            let step = try #require(lesson.step("rename"))  // container + container_count + file
            try run(berth, "run", "-d", "-i", "-t", "--name", "box1", "busybox")
            try run(berth, "exec", "box1", "touch", "/tmp/attached")
            for i in 0..<5 { try run(berth, "create", "--name", "extra\(i)", "busybox") }
            let checker = Checker(paths: berth.paths)
            var times: [Duration] = []
            for _ in 0..<21 {
                let result = checker.evaluate(step, context: CheckContext())
                #expect(result.passed, "\(String(describing: result.firstFailure?.text(.en)))")
                times.append(result.elapsed)
            }
            let median = times.sorted()[times.count / 2]
            print("berth-lab: step 02-containers/rename (3 checks, 6 containers): median \(median), max \(times.max()!)")
            #expect(median <= .milliseconds(20))
        }
    }

    @Test("http follows whatever host port was published; a wrong port is a near miss")
    func httpThroughPublishedPort() throws {
        try BerthRunner.withStateRoot { berth in
            try run(berth, "run", "-d", "--name", "web", "-p", "80", "busybox", "httpd", "-f", "-p", "80", "-h", "/etc")
            let ok = HTTPCheck(target: .published(filter: ContainerFilter(ancestor: "busybox"), containerPort: "80/tcp", hostIP: nil),
                               path: "/hostname", status: 200)
            let answered = waitUntil(5, "httpd answers") { failure(berth, .http(ok)) == nil }
            #expect(answered, "\(String(describing: failure(berth, .http(ok))))")
            let wrong = HTTPCheck(target: .published(filter: ContainerFilter(), containerPort: "8080/tcp", hostIP: nil))
            #expect(failure(berth, .http(wrong)) == .noPublishedPort("8080/tcp"))
            #expect(failure(berth, .container(ContainerFilter(name: "web", ports: [PortExpectation(container: "80", random: true)]))) == nil)
        }
    }
}
