import BerthCore
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

@testable import BerthLab

@Suite struct TranscriptReportTests {
    @Test func markdownHasEveryCommandItsOutputAndTheChecks() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/a.cast"
            try writeSampleTranscript(path, steps: [("run-it", true), ("ps-all", false)])
            var md = ""
            try TranscriptExporter(format: .markdown).export(try AsciicastReader(path: path)) { md += $0 }
            #expect(md.contains("## Step 1/2: run-it"))
            #expect(md.contains("$ docker run --name s0 busybox"))
            #expect(md.contains("$ docker run --name s1 busybox"))
            #expect(md.contains("output of step 0"))
            #expect(!md.contains("\u{1B}"))
            #expect(!md.contains("[2/containers 1/2] $"), "the prompt and echoed line are not output")
            #expect(md.contains("✔ passed"))
            #expect(md.contains("✘ not yet"))
            #expect(md.contains("integrity: intact"))
        }
    }

    @Test func htmlEscapesAndTextIsPlain() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/a.cast"
            try writeSampleTranscript(path, steps: [("run-it", true)])
            var html = ""
            try TranscriptExporter(format: .html).export(try AsciicastReader(path: path)) { html += $0 }
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            #expect(html.contains("<pre><b>$ docker run --name s0 busybox</b>"))
            var text = ""
            try TranscriptExporter(format: .text).export(try AsciicastReader(path: path)) { text += $0 }
            #expect(text.contains("$ docker run --name s0 busybox\n  output of step 0\n"))
        }
    }

    @Test func gradeRowsForCompleteHalfDoneAndEditedTranscripts() throws {
        try withTemporaryDirectory { dir in
            try writeSampleTranscript(dir + "/a-complete.cast", learner: "ana", steps: [("a", true), ("b", true), ("c", true), ("d", true)])
            try writeSampleTranscript(dir + "/b-half.cast", learner: "ben", steps: [("a", true), ("b", true)], total: 4, close: false)
            try writeSampleTranscript(dir + "/c-edited.cast", learner: "cy", steps: [("a", true), ("b", false)], total: 4)
            let edited = dir + "/c-edited.cast"
            let text = try String(contentsOfFile: edited, encoding: .utf8)
                .replacingOccurrences(of: "\\\"passed\\\":false", with: "\\\"passed\\\":true")
            try text.write(toFile: edited, atomically: true, encoding: .utf8)
            try "notes".write(toFile: dir + "/README.txt", atomically: true, encoding: .utf8)
            // Per-student subfolders, at any depth, are graded too; hidden ones are not.
            try FileManager.default.createDirectory(atPath: dir + "/zoe/week1", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: dir + "/.trash", withIntermediateDirectories: true)
            try writeSampleTranscript(dir + "/zoe/week1/z.cast", learner: "zoe", steps: [("a", true)])
            try writeSampleTranscript(dir + "/.trash/t.cast", learner: "x", steps: [("a", true)])

            let (files, skipped) = try Grader.transcripts(in: dir)
            #expect(files.map { String($0.dropFirst(dir.count + 1)) } == ["a-complete.cast", "b-half.cast", "c-edited.cast", "zoe/week1/z.cast"])
            #expect(skipped.count == 1)
            #expect(skipped.contains { $0.contains("README.txt") && $0.contains("not a .cast") })
            let rows = files.map { Grader().grade($0) }
            #expect(rows[3].learner == "zoe")
            #expect(rows[0].csv.hasPrefix("a-complete.cast,ana,02-containers,4,4,2,"))
            #expect(rows[0].firstTryPasses == 4)
            #expect(rows[0].integrity == "intact")
            #expect(rows[0].flags.isEmpty)
            #expect(rows[1].stepsPassed == 2 && rows[1].stepsTotal == 4)
            #expect(rows[1].flags == ["unclosed"])
            #expect(rows[2].stepsPassed == 2, "the edited file claims two passes …")
            #expect(rows[2].flags.contains("edited"), "… and is flagged, not trusted")
            #expect(rows[2].csv.contains(",edited"))
            #expect(rows[0].timeOnTask > 30 && rows[0].timeOnTask < 41)
        }
    }

    /// `:solution run` and `:skip` leave markers, and grade keeps them apart from the
    /// learner's own passes; a file without a chain or from `lab record -- CMD` says so.
    @Test func gradeTellsOwnPassesFromSolutionsAndSkipsAndFlagsUnsealedFiles() throws {
        try withTemporaryDirectory { dir in
            let chapter = "02-containers"
            let info = TranscriptInfo(version: "0", chapter: chapter, lessonChecksum: nil, learner: "l", language: "en")
            let w = try TranscriptWriter(path: dir + "/a.cast", header: AsciicastHeader(width: 80, height: 24, berth: info))
            for (i, id) in ["a", "b", "c"].enumerated() {
                w.marker(MarkerPayload(kind: "step", chapter: chapter, step: id, index: i + 1, total: 3), at: Double(i))
            }
            w.marker(MarkerPayload(kind: "check", chapter: chapter, step: "a", passed: true, attempts: 1), at: 3)
            w.marker(MarkerPayload(kind: "hint", chapter: chapter, step: "b"), at: 4)
            w.marker(MarkerPayload(kind: "solution", chapter: chapter, step: "b", run: true), at: 4)
            w.marker(MarkerPayload(kind: "command", line: "docker ps -a", exit: 0), at: 5)
            w.marker(MarkerPayload(kind: "check", chapter: chapter, step: "b", passed: true, attempts: 1), at: 5)
            w.marker(MarkerPayload(kind: "skip", chapter: chapter, step: "c"), at: 6)
            w.close(at: 7)
            let row = Grader().grade(dir + "/a.cast")
            #expect((row.stepsPassed, row.stepsBySolution, row.stepsSkipped, row.stepsTotal) == (1, 1, 1, 3))
            #expect(row.firstTryPasses == 1)
            #expect(row.csv.hasSuffix(",1,1,"), "replay_failure is empty without --replay")
            let text = try String(contentsOfFile: dir + "/a.cast", encoding: .utf8)
            #expect(text.contains(#""solution 2/containers/2 run\n{"#))
            #expect(text.contains(#""skip 2/containers/3\n{"#))
            var md = ""
            try TranscriptExporter(format: .markdown).export(try AsciicastReader(path: dir + "/a.cast")) { md += $0 }
            #expect(md.contains(":solution 2/containers/2 run"))

            try #"{"version": 2, "width": 80, "height": 24}"#.write(toFile: dir + "/plain.cast", atomically: true, encoding: .utf8)
            let plain = Grader().grade(dir + "/plain.cast")
            #expect(plain.integrity.hasPrefix("unsealed"))
            #expect(plain.flags == ["no-chain", "edited-suspect"])

            var recorded = info
            recorded.source = "record"
            try TranscriptWriter(path: dir + "/r.cast", header: AsciicastHeader(width: 80, height: 24, berth: recorded)).close(at: 1)
            #expect(Grader().grade(dir + "/r.cast").flags.contains("not-lab-session"))
        }
    }

    @Test func gradeGoesOnPastABrokenFile() throws {
        try withTemporaryDirectory { dir in
            try writeSampleTranscript(dir + "/good.cast", steps: [("a", true)])
            try #"{"version": 1, "width": 80, "height": 24, "stdout": []}"#.write(toFile: dir + "/old.cast", atomically: true, encoding: .utf8)
            try writeSampleTranscript(dir + "/trunc.cast", steps: [("a", true), ("b", true)])
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/trunc.cast"))
            try data.prefix(data.count - 30).write(to: URL(fileURLWithPath: dir + "/trunc.cast"))
            let rows = try Grader.transcripts(in: dir).files.map { Grader().grade($0) }
            #expect(rows.count == 3)
            #expect(rows[0].problem == nil)
            #expect(rows[1].problem?.contains("only version 2") == true)
            #expect(rows[2].flags.contains("truncated"))
            #expect(rows[2].stepsPassed == 2, "what was read before the cut still counts")
        }
    }

    @Test func csvQuotesFieldsWithCommas() {
        var row = GradeRow(file: "a.cast")
        row.learner = "Kim, Mina"
        #expect(row.csv.hasPrefix("a.cast,\"Kim, Mina\","))
    }

    @Test func scannerSplitsTheTypedLineFromSessionInput() {
        let inputs = [
            TimedText(time: 1, text: "docker run -it busybox"), TimedText(time: 2, text: "\r"),
            TimedText(time: 4, text: "ls\r"), TimedText(time: 6, text: "exit\r"),
        ]
        let (t, rest) = TranscriptScanner.splitTypedLine(inputs)
        #expect(t == 2)
        #expect(rest.map(\.text) == ["ls\r", "exit\r"])
        let (_, blankFirst) = TranscriptScanner.splitTypedLine([TimedText(time: 0, text: "\r\rdocker attach x\rtouch f\r")])
        #expect(blankFirst.map(\.text) == ["touch f\r"])
    }

    @Test func scannerGivesCommandsWithTheirSessionInput() throws {
        var s = TranscriptScanner()
        var items: [TranscriptItem] = []
        let events = [
            AsciicastEvent(time: 1, code: .input, data: "docker run -it busybox\r"),
            AsciicastEvent(time: 1.1, code: .output, data: "docker run -it busybox\r\n/ # "),
            AsciicastEvent(time: 3, code: .input, data: "exit\r"),
            AsciicastEvent(time: 3.5, code: .marker, data: MarkerPayload(kind: "command", line: "docker run -it busybox", exit: 0).markerText),
        ]
        for e in events { if let i = s.feed(e) { items.append(i) } }
        guard case .command(let c) = items.first else { Issue.record("no command"); return }
        #expect(c.input.map(\.text) == ["exit\r"])
        #expect(c.input.first?.time == 2)
        #expect(c.input.first?.after == "/ #", "replay waits for the container's prompt before typing")
        #expect(c.readableOutput == "/ #")
    }

    @Test func stripRemovesEscapesAndRedraws() {
        #expect(TranscriptText.strip("\u{1B}[1;32mgreen\u{1B}[0m\r\n") == "green\n")
        #expect(TranscriptText.strip("10%\r50%\r100%\n") == "100%\n")
        #expect(TranscriptText.strip("abc\u{8}\u{8}X\n") == "aXc\n")
        #expect(TranscriptText.strip("\u{1B}]0;title\u{7}prompt$ ") == "prompt$")
        #expect(TranscriptText.strip("long line\r\u{1B}[Kshort") == "short")
    }

    @Test func gradeFlagsATranscriptOfAnOlderLesson() throws {
        try withTemporaryDirectory { dir in
            let info = TranscriptInfo(version: "0", chapter: "01-x", lessonChecksum: "sha256:then", learner: "l", language: "en")
            let w = try TranscriptWriter(path: dir + "/a.cast", header: AsciicastHeader(width: 80, height: 24, berth: info))
            w.close(at: 1)
            #expect(Grader(lessonChecksums: ["01-x": "sha256:now"]).grade(dir + "/a.cast").flags == ["lesson-changed"])
            #expect(Grader(lessonChecksums: ["01-x": "sha256:then"]).grade(dir + "/a.cast").flags.isEmpty)
        }
    }

    @Test func gradeNamesAMissingDirectoryOrAFileInPlainWords() throws {
        try withTemporaryDirectory { dir in
            #expect(throws: BerthError(message: "Error: \(dir)/none: no such file or directory", exitCode: 1)) {
                try Grader.transcripts(in: dir + "/none")
            }
            try "x".write(toFile: dir + "/f.cast", atomically: true, encoding: .utf8)
            #expect(throws: BerthError(message: "Error: \(dir)/f.cast is not a directory: lab grade takes a directory of .cast files", exitCode: 1)) {
                try Grader.transcripts(in: dir + "/f.cast")
            }
        }
    }

    @Test func terminalRepliesAreNotTypedInput() {
        func strip(_ s: String) -> String { String(decoding: TerminalReplies.strip(Array(s.utf8)[...]), as: UTF8.self) }
        #expect(strip("ls\u{1B}[24;5R -l\r") == "ls -l\r", "a cursor position report")
        #expect(strip("\u{1B}[?64;1;2c\u{1B}[>1;10;0c\u{1B}[0n\u{1B}[8;24;80t\u{1B}[?1;2$y\u{1B}[I") == "")
        #expect(strip("a\u{1B}]11;rgb:0000/0000/0000\u{1B}\\b\u{1B}]10;rgb:ffff/ffff/ffff\u{07}c") == "abc", "colour replies")
        #expect(strip("\u{1B}P>|xterm(388)\u{1B}\\") == "", "a version reply")
        // Keys stay: arrows, F3, F5, a modified arrow, bracketed paste, Alt-].
        let keys = "\u{1B}[A\u{1B}OR\u{1B}[15~\u{1B}[1;5C\u{1B}[200~x\u{1B}[201~\u{1B}]"
        #expect(strip(keys) == keys)
    }

    @Test func replayReportNamesTheFirstStepThatDidNotReproduce() {
        var report = TranscriptReplay.Report()
        report.checks = [
            .init(chapter: "02-containers", step: "run-it", index: 1, recordedPassed: true, replayPassed: true),
            .init(chapter: "02-containers", step: "ps", index: 2, recordedPassed: false, replayPassed: false, failure: "no"),
            .init(chapter: "02-containers", step: "stop", index: 3, recordedPassed: true, replayPassed: false, failure: "no container is running"),
            .init(chapter: "02-containers", step: "rm", index: 4, recordedPassed: true, replayPassed: false),
        ]
        #expect(report.firstFailure == "step 2/containers/3 stop: no container is running")
        report.checks.removeLast(2)
        #expect(report.firstFailure == nil)
    }

    @Test func redactionAndSecretPrompts() throws {
        let r = try TranscriptRedactor(patterns: ["hunter[0-9]+"])
        #expect(r.redact("password is hunter22!") == "password is [REDACTED]!")
        #expect(TranscriptRedactor.isSecretPrompt("Password: "))
        #expect(TranscriptRedactor.isSecretPrompt("[sudo] password for mina: "))
        #expect(!TranscriptRedactor.isSecretPrompt("[2/containers 1/16] $ "))
        #expect(TranscriptRedactor.mask("s3cret\r") == "******\r")
        #expect(throws: (any Error).self) { try TranscriptRedactor(patterns: ["(unclosed"]) }
        let r2 = try TranscriptRedactor(patterns: ["s3cr3t"])
        #expect(r2.redact(MarkerPayload(kind: "command", line: "echo s3cr3t", exit: 0)).line == "echo [REDACTED]")

        // The echo of a typed secret is masked, a Backspace's `\b \b` in between included; output
        // that is no echo ends the masking.
        var echo = SecretEcho()
        echo.typed(Array("pä\u{7F}x\r".utf8)[...])
        #expect(String(decoding: echo.mask(Array("pä\u{8} \u{8}x\r\n".utf8)[...]), as: UTF8.self) == "**\u{8} \u{8}*\r\n")
        #expect(echo.isEmpty)
        echo.typed(Array("abc".utf8)[...])
        #expect(String(decoding: echo.mask(Array("got abc".utf8)[...]), as: UTF8.self) == "got abc")
    }

    @Test func defaultFileNames() {
        let env = ["XDG_STATE_HOME": "/nonexistent-state"]
        let path = TranscriptPaths.defaultFile(chapter: "02-containers", learner: "mina kim", now: Date(timeIntervalSince1970: 0), environment: env)
        #expect(path.hasPrefix("/nonexistent-state/berth/transcripts/1970-01-01T"))
        #expect(path.hasSuffix("-02-containers-mina_kim.cast"))
    }

    /// 200 MB of output events: read in one line's worth of memory, not the file's.
    @Test func aTwoHundredMegabyteTranscriptStreams() throws {
        try withTemporaryDirectory { dir in
            var header = Array(#"{"version": 2, "width": 80, "height": 24}"#.utf8) + [0x0A]
            let payload = String(repeating: "x", count: 1000)
            var peak = 0
            var count = 0
            let path2 = dir + "/big2.cast"
            let fd2 = open(path2, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            _ = write(fd2, &header, header.count)
            for b in 0..<200 {
                var lines: [UInt8] = []
                for i in 0..<1000 { lines += Array("[\(b * 1000 + i).5, \"o\", \"\(payload)\\r\\n\"]\n".utf8) }
                _ = lines.withUnsafeBytes { write(fd2, $0.baseAddress, $0.count) }
            }
            close(fd2)
            let size = (try FileManager.default.attributesOfItem(atPath: path2)[.size] as? Int) ?? 0
            #expect(size > 200_000_000)
            let reader2 = try AsciicastReader(path: path2)
            let start = residentBytes()
            peak = start
            count = 0
            let clock = ContinuousClock()
            let began = clock.now
            while try reader2.next() != nil {
                count += 1
                if count % 10_000 == 0 { peak = max(peak, residentBytes()) }
            }
            let took = clock.now - began
            #expect(count == 200_000)
            let grown = peak - start
            print("200 MB transcript: \(count) events in \(took), resident growth \(grown / 1024) KB")
            #expect(grown < 64 << 20, "reading 200 MB grew resident memory by \(grown >> 20) MB")
        }
    }
}

extension TranscriptReportTests {
    /// 200 MB of one long `-it` session, a keystroke and its echo at a time (600k of each), and
    /// no marker until the end: grade and export read it in linear time and bounded memory.
    @Test func aLongInteractiveSessionGradesAndExportsQuickly() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/long.cast"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            var head = Array(#"{"version": 2, "width": 80, "height": 24}"#.utf8) + [0x0A]
            head += Array(#"[0.1, "m", "step 2/containers/1 start\n{\"chapter\":\"02-containers\",\"kind\":\"step\",\"step\":\"a\"}"]"#.utf8) + [0x0A]
            _ = write(fd, &head, head.count)
            let echo = String(repeating: "y", count: 300)
            for b in 0..<600 {
                var lines: [UInt8] = []
                for i in 0..<1000 {
                    let t = Double(b * 1000 + i) / 100 + 1
                    lines += Array("[\(t), \"i\", \"k\"]\n[\(t), \"o\", \"\(echo)\"]\n".utf8)
                }
                _ = lines.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            }
            var tail = Array(#"[7000.0, "m", "$ docker run -it busybox\n{\"exit\":0,\"kind\":\"command\",\"line\":\"docker run -it busybox\"}"]"#.utf8) + [0x0A]
            _ = write(fd, &tail, tail.count)
            close(fd)
            defer { unlink(path) }
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            #expect(size > 190_000_000)
            let clock = ContinuousClock()
            var began = clock.now
            let start = residentBytes()
            let row = Grader().grade(path)
            let gradeTook = clock.now - began
            #expect(row.problem == nil)
            began = clock.now
            var bytes = 0
            try TranscriptExporter(format: .text).export(try AsciicastReader(path: path)) { bytes += $0.utf8.count }
            let exportTook = clock.now - began
            let grown = residentBytes() - start
            print("200 MB -it session: grade \(gradeTook), export \(exportTook) (\(bytes) bytes), resident growth \(grown >> 20) MB")
            #expect(bytes > 1 << 20, "the command and its (capped) output are exported")
            #expect(gradeTook < .seconds(60) && exportTook < .seconds(60))
            #expect(grown < 100 << 20)
        }
    }
}

func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}
