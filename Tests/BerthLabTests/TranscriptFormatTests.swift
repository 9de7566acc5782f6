import Foundation
import Testing

@testable import BerthLab

/// A transcript written with Berth's writer, as the recorder would, for the reading tests.
func writeSampleTranscript(
    _ path: String, chapter: String = "02-containers", learner: String = "mina", steps: [(id: String, passed: Bool)],
    total: Int? = nil, close: Bool = true
) throws {
    let info = TranscriptInfo(version: "0.1.0", chapter: chapter, lessonChecksum: nil, learner: learner, language: "en")
    let w = try TranscriptWriter(
        path: path, header: AsciicastHeader(width: 80, height: 24, timestamp: 1_700_000_000, title: "t", env: ["TERM": "xterm"], berth: info))
    var t = 0.5
    for (i, step) in steps.enumerated() {
        w.marker(MarkerPayload(kind: "step", chapter: chapter, step: step.id, index: i + 1, total: total ?? steps.count), at: t)
        let line = "docker run --name s\(i) busybox"
        w.output(ArraySlice(Array("[2/containers \(i + 1)/\(steps.count)] $ ".utf8)), at: t + 0.1)
        for c in line { w.input(ArraySlice(Array(String(c).utf8)), at: t + 0.2) }
        w.output(ArraySlice(Array((line + "\r\n").utf8)), at: t + 0.3)
        w.input(ArraySlice([0x0D]), at: t + 0.3)
        w.output(ArraySlice(Array("\u{1B}[32moutput of step \(i)\u{1B}[0m\r\n".utf8)), at: t + 0.6)
        w.marker(MarkerPayload(kind: "command", line: line, exit: 0), at: t + 0.7)
        w.marker(
            MarkerPayload(kind: "check", chapter: chapter, step: step.id, passed: step.passed, hints: i == 1 ? 2 : 0, attempts: 1),
            at: t + 0.8)
        t += 10
    }
    if close { w.close(at: t) }
}

func readAll(_ path: String) throws -> (AsciicastReader, [AsciicastEvent]) {
    let r = try AsciicastReader(path: path)
    var events: [AsciicastEvent] = []
    while let e = try r.next() { events.append(e) }
    return (r, events)
}

@Suite struct TranscriptFormatTests {
    @Test func everyLineIsStrictJSONAndEventsHaveThreeElements() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/a.cast"
            try writeSampleTranscript(path, steps: [("run-it", true), ("ps-all", true)])
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
            let header = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(header["version"] as? Int == 2)
            #expect(header["width"] as? Int == 80)
            #expect((header["env"] as? [String: String])?["TERM"] == "xterm")
            let berth = try #require(header["berth"] as? [String: Any])
            #expect(berth["learner"] as? String == "mina")
            #expect(berth["chapter"] as? String == "02-containers")
            var last = 0.0
            for line in lines.dropFirst() {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any])
                #expect(event.count == 3)
                let t = try #require(event[0] as? Double)
                #expect(t >= last)
                last = t
                #expect(["o", "i", "m", "r"].contains(event[1] as? String))
                #expect(event[2] is String)
            }
        }
    }

    @Test func roundTripKeepsEveryEventAndTheChainHolds() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/a.cast"
            try writeSampleTranscript(path, steps: [("run-it", true)])
            let (reader, events) = try readAll(path)
            #expect(reader.chainStatus == .intact)
            #expect(events.contains { $0.code == .input && $0.data == "d" })
            let markers = events.filter { $0.code == .marker }.map { $0.data.split(separator: "\n").first.map(String.init) ?? "" }
            #expect(markers.contains("step 2/containers/1 start"))
            #expect(markers.contains("step 2/containers/1 passed"))
            #expect(markers.contains("$ docker run --name s0 busybox"))
            #expect(markers.last?.hasSuffix(" end") == true)
        }
    }

    @Test func splitUTF8IsJoinedAndBadBytesBecomeReplacement() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/u.cast"
            let w = try TranscriptWriter(path: path, header: AsciicastHeader(width: 80, height: 24))
            let han = Array("한".utf8)  // three bytes, written in two reads
            w.output(ArraySlice(han[0..<2]), at: 0.1)
            w.output(ArraySlice(han[2...] + [0x0A]), at: 0.2)
            w.output(ArraySlice([0x61, 0xFF, 0xFE, 0x62]), at: 0.3)
            w.close(at: 1)
            let (_, events) = try readAll(path)
            let out = events.filter { $0.code == .output }.map(\.data)
            #expect(out == ["한\n", "a\u{FFFD}\u{FFFD}b"])
        }
    }

    @Test func controlCharactersAndQuotesRoundTrip() throws {
        let data = "\u{1B}[1m\"q\"\\\t\u{7}\u{0}ü😀\r\n"
        let line = AsciicastEvent(time: 1.25, code: .output, data: data).encodedLine()
        let parsed = try JSONText.parseEvent(ArraySlice(line))
        #expect(parsed.0 == 1.25)
        #expect(parsed.2 == data)
        let viaFoundation = try JSONSerialization.jsonObject(with: Data(line)) as? [Any]
        #expect(viaFoundation?[2] as? String == data)
    }

    @Test func surrogatePairsFromOtherWritersDecode() throws {
        let parsed = try JSONText.parseEvent(ArraySlice(Array(#"[0.5, "o", "\ud83d\ude00 \u00e9"]"#.utf8)))
        #expect(parsed.2 == "😀 é")
    }

    @Test func editedByHandIsDetected() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/e.cast"
            try writeSampleTranscript(path, steps: [("run-it", false), ("ps-all", true)])
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: "\\\"passed\\\":false", with: "\\\"passed\\\":true")
                .replacingOccurrences(of: "step 2/containers/1 failed", with: "step 2/containers/1 passed")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let (reader, _) = try readAll(path)
            #expect(reader.chainStatus.isEdited)
        }
    }

    /// Removing the seals and flipping a check is not a crash: a genuine cut-off loses only
    /// what came after the last seal, and the writer seals right after every marker.
    @Test(arguments: [true, false])
    func removedSealsAreEditedNotUnclosed(keepFirstSeal: Bool) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/s.cast"
            try writeSampleTranscript(path, steps: [("run-it", false), ("ps-all", true)])
            var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            let firstSeal = lines.firstIndex { $0.contains("chain sha256:") }!
            lines = lines.enumerated().filter { i, l in !l.contains("chain sha256:") || (keepFirstSeal && i == firstSeal) }.map(\.1)
            let text = lines.joined(separator: "\n").replacingOccurrences(of: "\\\"passed\\\":false", with: "\\\"passed\\\":true") + "\n"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let (reader, _) = try readAll(path)
            #expect(reader.chainStatus.isEdited, "\(reader.chainStatus)")
            #expect(reader.chainStatus.description.contains(keepFirstSeal ? "has no seal after it" : "no seal"))
        }
    }

    /// A crash between a marker and its seal: the last marker unsealed is still only unclosed.
    @Test func aMarkerAtTheVeryEndWithoutItsSealIsUnclosed() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/c.cast"
            try writeSampleTranscript(path, steps: [("run-it", true)], close: false)
            var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.last?.contains("chain sha256:") == true)
            lines.removeLast()
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let (reader, _) = try readAll(path)
            if case .unclosed = reader.chainStatus {} else { Issue.record("expected unclosed, got \(reader.chainStatus)") }
        }
    }

    @Test func aCutOffRecordingIsUnclosedNotEdited() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/c.cast"
            try writeSampleTranscript(path, steps: [("run-it", true)], close: false)
            let (reader, events) = try readAll(path)
            #expect(!events.isEmpty)
            if case .unclosed = reader.chainStatus {} else { Issue.record("expected unclosed, got \(reader.chainStatus)") }
        }
    }

    @Test func truncatedInTheMiddleOfALine() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/t.cast"
            try writeSampleTranscript(path, steps: [("run-it", true)])
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count - 20).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: TranscriptError.self) { _ = try readAll(path) }
            #expect(error?.kind == .truncated)
            #expect(error?.description.contains("cut off") == true)
        }
    }

    @Test(arguments: [
        (#"{"version": 1, "width": 80, "height": 24}"#, TranscriptError.Kind.unsupportedVersion, "only version 2"),
        (#"{"version": 3, "term": {"cols": 80}}"#, .unsupportedVersion, "version 3"),
        ("hello world", .notAsciicast, "not an asciicast"),
        (#"{"width": 80}"#, .notAsciicast, "no \"version\""),
    ])
    func wrongHeaders(header: String, kind: TranscriptError.Kind, words: String) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/h.cast"
            try (header + "\n[0.1, \"o\", \"x\"]\n").write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: TranscriptError.self) { _ = try AsciicastReader(path: path) }
            #expect(error?.kind == kind)
            #expect(error?.line == 1)
            #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
        }
    }

    @Test(arguments: [
        (#"[2.0, "o", "a"]"# + "\n" + #"[1.0, "o", "b"]"#, TranscriptError.Kind.outOfOrder, 3),
        (#"[1.0, "o"]"#, .badEvent, 2),
        (#"[1.0, "z", "a"]"#, .badEvent, 2),
        (#"{"t": 1}"#, .badEvent, 2),
        (#"[1.0, "o", "a", "extra"]"#, .badEvent, 2),
    ])
    func badEvents(body: String, kind: TranscriptError.Kind, line: Int) throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/b.cast"
            try (#"{"version": 2, "width": 80, "height": 24}"# + "\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: TranscriptError.self) { _ = try readAll(path) }
            #expect(error?.kind == kind)
            #expect(error?.line == line)
        }
    }

    @Test func nonUTF8BytesInsideAnEventAreAClearError() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/n.cast"
            var bytes = Array((#"{"version": 2, "width": 80, "height": 24}"# + "\n" + #"[0.1, "o", "ok"]"# + "\n").utf8)
            bytes += Array(#"[0.2, "o", "bad "#.utf8) + [0xC3, 0x28] + Array("\"]\n".utf8)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: TranscriptError.self) { _ = try readAll(path) }
            #expect(error?.line == 3)
            #expect(error?.message.contains("not UTF-8") == true)
        }
    }

    @Test func aDirectoryOrAMissingFileIsAClearError() throws {
        try withTemporaryDirectory { dir in
            let e1 = #expect(throws: TranscriptError.self) { _ = try AsciicastReader(path: dir) }
            #expect(e1?.message.contains("directory") == true)
            let e2 = #expect(throws: TranscriptError.self) { _ = try AsciicastReader(path: dir + "/none.cast") }
            #expect(e2?.kind == .unreadable)
        }
    }

    @Test func markerLabels() {
        #expect(MarkerPayload(kind: "check", chapter: "02-containers", step: "x", index: 3, passed: true).label == "step 2/containers/3 passed")
        #expect(MarkerPayload(kind: "step", chapter: "05-storage", step: "x", index: 1, total: 9).label == "step 5/storage/1 start")
        #expect(MarkerPayload(kind: "command", line: "docker ps", exit: 1).label == "$ docker ps (exit 1)")
        let text = MarkerPayload(kind: "check", chapter: "01-images", step: "pull", passed: false, hints: 1, attempts: 2).markerText
        #expect(MarkerPayload.parse(marker: text)?.attempts == 2)
    }

    @Test func timesAreWrittenWithoutExponents() {
        #expect(AsciicastEvent.formatTime(0.000001) == "0.000001")
        #expect(AsciicastEvent.formatTime(12345.5) == "12345.500000")
    }
}
