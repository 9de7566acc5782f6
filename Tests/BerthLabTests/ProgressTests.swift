import BerthCore
import Foundation
import Testing

@testable import BerthLab

@Suite("Progress")
struct ProgressTests {
    @Test("the file lives under XDG_STATE_HOME, else ~/.local/state")
    func location() {
        #expect(ProgressStore.forCurrentUser(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]).path == "/s/berth/progress.json")
        #expect(ProgressStore.forCurrentUser(environment: ["HOME": "/h"]).path == "/h/.local/state/berth/progress.json")
        // The XDG spec ignores relative values.
        #expect(ProgressStore.forCurrentUser(environment: ["XDG_STATE_HOME": "rel", "HOME": "/h"]).path
            == "/h/.local/state/berth/progress.json")
    }

    @Test("saves and resumes: step, hints, attempts, time")
    func roundTrip() throws {
        try withTemporaryDirectory { dir in
            let store = ProgressStore(path: dir + "/state/berth/progress.json")
            #expect(try store.load() == Progress())
            var p = Progress()
            let t0 = Date(timeIntervalSince1970: 1_700_000_000)
            p.start("pull-busybox", in: "01-images", at: t0)
            p.recordAttempt("pull-busybox", in: "01-images")
            p.recordAttempt("pull-busybox", in: "01-images")
            p.recordHint("pull-busybox", in: "01-images")
            p.markPassed("pull-busybox", in: "01-images", at: t0.addingTimeInterval(42))
            p.start("pull-debian", in: "01-images", at: t0.addingTimeInterval(43))
            try store.save(p)
            let back = try store.load()
            #expect(back == p)
            #expect(back["01-images"]["pull-busybox"].attempts == 2)
            #expect(back["01-images"]["pull-busybox"].hintsUsed == 1)
            #expect(back["01-images"]["pull-busybox"].seconds == 42)
            #expect(back.currentChapter == "01-images")
            let lesson = try LessonLoader.loadLibrary(from: lessonsRoot).lesson("01-images")!
            #expect(back.resumeStep(in: lesson)?.id == "pull-debian")
            // Nothing but the file itself is left in its directory: writes go through a renamed temp file.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/state/berth") == ["progress.json"])
        }
    }

    @Test("a damaged file is an error that names it, and is not overwritten by load")
    func damaged() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/progress.json"
            try "{ not json".write(toFile: path, atomically: true, encoding: .utf8)
            let error = #expect(throws: BerthError.self) { try ProgressStore(path: path).load() }
            #expect(error?.message.contains(path) == true)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "{ not json")
        }
    }
}
