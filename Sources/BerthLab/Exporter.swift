import Foundation

/// `berth lab export`: a transcript as a readable log — a heading per step, each command with
/// its output (escape sequences stripped), each check result. Streams: it writes as it reads.
package struct TranscriptExporter {
    package enum Format: String, Sendable, CaseIterable {
        case markdown = "md", html, text
    }

    package var format: Format
    /// For goal texts in headings; without it headings name the step id.
    package var lesson: Lesson?

    package init(format: Format, lesson: Lesson? = nil) {
        self.format = format
        self.lesson = lesson
    }

    /// Reads `reader` to the end, calling `write` with pieces of the document.
    package func export(_ reader: AsciicastReader, write: (String) -> Void) throws(TranscriptError) {
        let h = reader.header
        let title = h.title ?? "Berth lab transcript"
        let language = h.berth.flatMap { Language(rawValue: $0.language) } ?? .en
        let started = h.timestamp.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval($0))) }
        var facts: [String] = []
        if let b = h.berth {
            facts.append("learner: \(b.learner)")
            if let c = b.chapter { facts.append("chapter: \(c)") }
            facts.append("language: \(b.language)")
        }
        if let started { facts.append("recorded: \(started)") }
        switch format {
        case .markdown:
            write("# \(title)\n\n" + facts.map { "- \($0)\n" }.joined())
        case .html:
            write("""
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>\(esc(title))</title>
                <style>body{font-family:sans-serif;max-width:60em;margin:auto}pre{background:#f4f4f4;padding:.5em;overflow-x:auto}.pass{color:#070}.fail{color:#a00}</style>
                </head><body>
                <h1>\(esc(title))</h1>
                <ul>\(facts.map { "<li>\(esc($0))</li>" }.joined())</ul>

                """)
        case .text:
            write(title + "\n" + String(repeating: "=", count: title.count) + "\n" + facts.map { $0 + "\n" }.joined())
        }
        var scanner = TranscriptScanner(keepsInput: false)
        while let event = try reader.next() {
            guard let item = scanner.feed(event) else { continue }
            switch item {
            case .step(let p, _): write(heading(p, language))
            case .command(let c): write(command(c))
            case .check(let p, _): write(check(p))
            case .labAction(let p, _): write(labAction(p))
            }
        }
        let integrity = "integrity: \(reader.chainStatus)"
        switch format {
        case .markdown: write("\n---\n\(integrity)\n")
        case .html: write("<hr><p>\(esc(integrity))</p>\n</body></html>\n")
        case .text: write("\n\(integrity)\n")
        }
    }

    private func heading(_ p: MarkerPayload, _ language: Language) -> String {
        let number = [p.index.map(String.init), p.total.map(String.init)].compactMap { $0 }.joined(separator: "/")
        var name = p.step ?? "?"
        if let lesson, let id = p.step, let step = lesson.step(id) {
            // The goal's first paragraph, on one line.
            let paragraph = lesson.text(step.goal, language).components(separatedBy: "\n\n").first ?? id
            let goal = paragraph.split(separator: "\n").joined(separator: " ")
            name = "\(id) — \(goal)"
        }
        let text = "Step \(number): \(name)"
        switch format {
        case .markdown: return "\n## \(text)\n\n"
        case .html: return "<h2>\(esc(text))</h2>\n"
        case .text: return "\n\(text)\n\(String(repeating: "-", count: text.count))\n"
        }
    }

    private func command(_ c: TranscriptCommand) -> String {
        let out = c.readableOutput
        let exit = c.exit.map { $0 == 0 ? "" : " (exit \($0))" } ?? ""
        switch format {
        case .markdown:
            let fence = out.contains("```") ? "~~~~" : "```"
            return "\(fence)console\n$ \(c.line)\(exit)\n\(out.isEmpty ? "" : out + "\n")\(fence)\n\n"
        case .html:
            return "<pre><b>$ \(esc(c.line))</b>\(esc(exit))\n\(esc(out))</pre>\n"
        case .text:
            return "$ \(c.line)\(exit)\n" + (out.isEmpty ? "" : out.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 + "\n" }.joined())
        }
    }

    private func check(_ p: MarkerPayload) -> String {
        let result = p.skipped == true ? "skipped" : p.passed == true ? "passed" : "not yet"
        var details: [String] = []
        if let a = p.attempts { details.append("attempts: \(a)") }
        if let h = p.hints, h > 0 { details.append("hints: \(h)") }
        let tail = details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"
        let mark = p.passed == true ? "✔" : p.skipped == true ? "→" : "✘"
        switch format {
        case .markdown: return "**Check \(p.step ?? ""): \(mark) \(result)**\(tail)\n\n"
        case .html:
            return "<p class=\"\(p.passed == true ? "pass" : "fail")\">Check \(esc(p.step ?? "")): \(mark) \(result)\(esc(tail))</p>\n"
        case .text: return "check \(p.step ?? ""): \(result)\(tail)\n"
        }
    }

    private func labAction(_ p: MarkerPayload) -> String {
        let text = ":" + p.label
        switch format {
        case .markdown: return "*\(text)*\n\n"
        case .html: return "<p><i>\(esc(text))</i></p>\n"
        case .text: return text + "\n"
        }
    }

    private func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
