import BerthImages
import Foundation

/// Where transcripts go and what identifies the lesson they were recorded against.
package enum TranscriptPaths {
    /// `$XDG_STATE_HOME/berth/transcripts`, by default `~/.local/state/berth/transcripts`.
    package static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let xdg = environment["XDG_STATE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return base + "/berth/transcripts"
    }

    /// `<date>-<chapter>-<learner>.cast`, e.g. `2025-11-23T1412-02-containers-mina.cast`; a
    /// second session in the same minute gets `-2`, `-3`, ….
    package static func defaultFile(
        chapter: String?, learner: String, now: Date = Date(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd'T'HHmm"
        let stem = "\(f.string(from: now))-\(safe(chapter ?? "lab"))-\(safe(learner))"
        let dir = directory(environment: environment)
        var path = "\(dir)/\(stem).cast"
        var n = 2
        while FileManager.default.fileExists(atPath: path) {
            path = "\(dir)/\(stem)-\(n).cast"
            n += 1
        }
        return path
    }

    /// A file-name-safe version of a learner or chapter name.
    static func safe(_ s: String) -> String {
        let mapped = s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return mapped.isEmpty ? "_" : String(mapped)
    }
}

/// `sha256:` over a chapter's `lesson.yaml`, `ko.md` and `en.md` (name, NUL, bytes, NUL each),
/// so `replay` can tell when the lesson changed since the recording.
package enum LessonChecksum {
    package static func compute(directory: String) -> String? {
        var bytes: [UInt8] = []
        var any = false
        for name in ["lesson.yaml", "ko.md", "en.md"] {
            bytes += Array(name.utf8) + [0]
            if let data = FileManager.default.contents(atPath: directory + "/" + name) {
                bytes += data
                any = true
            }
            bytes.append(0)
        }
        return any ? Digest.sha256(of: bytes).string : nil
    }
}
