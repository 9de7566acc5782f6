/// One command the learner ran, as the transcript tells it.
package struct TranscriptCommand: Sendable, Equatable {
    package var line: String
    package var exit: Int32?
    /// Raw terminal output from the command's start (or the previous marker) to its end.
    package var output: String
    /// Whether `output` begins after a start marker (so it holds no echo of the typed line).
    package var startMarked: Bool
    /// Input typed while the command ran (an `-it` session, a prompt), with seconds since the
    /// command started.
    package var input: [TimedText]
    package var started: Double
    package var ended: Double
    /// The terminal's size when the command started; a resize while it ran is in `input`.
    package var size: TerminalSize?

    /// What the command printed, escape sequences stripped, without the prompt and echoed line.
    package var readableOutput: String {
        var text = TranscriptText.strip(output)
        if !startMarked, let r = text.range(of: line, options: .backwards) {
            let after = text[r.upperBound...]
            text = after.firstIndex(of: "\n").map { String(after[after.index(after: $0)...]) } ?? ""
        }
        while text.hasSuffix("\n") { text.removeLast() }
        while text.hasPrefix("\n") { text.removeFirst() }
        return text
    }
}

package struct TerminalSize: Sendable, Equatable {
    package var cols: Int
    package var rows: Int

    package init(cols: Int, rows: Int) {
        self.cols = cols
        self.rows = rows
    }
}

/// Something the learner did to the terminal while a command ran: typed `text`, or, when
/// `resize` is set, resized the window (the text is then empty).
package struct TimedText: Sendable, Equatable {
    package var time: Double
    package var text: String
    /// The screen's last line when this was typed (escapes stripped, IDs masked): replay waits
    /// for the same line, e.g. the container's prompt, before typing it again.
    package var after: String?
    package var resize: TerminalSize?

    package init(time: Double, text: String, after: String? = nil, resize: TerminalSize? = nil) {
        self.time = time
        self.text = text
        self.after = after
        self.resize = resize
    }

    /// The last non-empty line of `text`, stripped, with hex IDs and numbers masked so a prompt
    /// like `root@4bd0c1d77fe8:/# ` matches across runs.
    package static func promptLine(_ text: String) -> String? {
        let stripped = TranscriptText.strip(text)
        guard let last = stripped.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            return nil
        }
        return String(last).replacing(/[0-9a-f]{12,64}/, with: "<id>").trimmingCharacters(in: .whitespaces)
    }
}

package enum TranscriptItem: Sendable, Equatable {
    case step(MarkerPayload, time: Double)
    case command(TranscriptCommand)
    case check(MarkerPayload, time: Double)
    /// `:hint`, `:solution`, `:skip`, `:reset`.
    case labAction(MarkerPayload, time: Double)
}

/// Folds a transcript's events into steps, commands and checks, one event at a time, so the
/// exporter, the grader and replay all read a 200 MB file in the same bounded memory (the
/// output kept per command is capped).
package struct TranscriptScanner {
    /// Output kept per command; the rest is counted, not kept.
    package static let outputCap = 1 << 20

    private var output = ""
    /// The last output, across markers: what the screen showed when something was typed.
    private var tail = ""
    private var outputBytes = 0
    private var inputs: [TimedText] = []
    private var start: (line: String, time: Double)?
    private var lastMarkerTime: Double = 0
    /// The terminal's size now, and when the inputs kept so far began.
    private var size: TerminalSize?
    private var sizeAtReset: TerminalSize?

    /// Only replay types the input again: export and grade leave it out, so a long `-it`
    /// session costs neither memory per keystroke nor a prompt line per keystroke.
    private let keepsInput: Bool

    /// `size`: the header's, so a command before any resize knows it.
    package init(size: TerminalSize? = nil, keepsInput: Bool = true) {
        self.keepsInput = keepsInput
        self.size = size
        sizeAtReset = size
    }

    /// The items this event completes (zero or one).
    package mutating func feed(_ event: AsciicastEvent) -> TranscriptItem? {
        switch event.code {
        case .output:
            outputBytes += event.data.utf8.count
            if outputBytes <= Self.outputCap { output += event.data }
            if keepsInput {
                tail += event.data
                if tail.utf8.count > 4096 { tail = String(tail.suffix(2048)) }
            }
            return nil
        case .input:
            guard keepsInput else { return nil }
            inputs.append(TimedText(time: event.time, text: event.data, after: TimedText.promptLine(tail)))
            return nil
        case .resize:
            guard keepsInput, let s = event.size else { return nil }
            size = TerminalSize(cols: s.cols, rows: s.rows)
            inputs.append(TimedText(time: event.time, text: "", resize: size))
            return nil
        case .exit:
            return nil
        case .marker:
            guard let payload = MarkerPayload.parse(marker: event.data) else { return nil }
            defer { lastMarkerTime = event.time }
            switch payload.kind {
            case "step":
                reset()
                return .step(payload, time: event.time)
            case "check":
                reset()
                return .check(payload, time: event.time)
            case "command":
                let line = payload.line ?? ""
                guard let exit = payload.exit else {
                    reset()
                    start = (line, event.time)
                    return nil
                }
                let item: TranscriptCommand
                if let s = start, s.line == line {
                    item = TranscriptCommand(
                        line: line, exit: exit, output: capped, startMarked: true,
                        input: inputs.map { Self.replayable($0, line, since: s.time) }, started: s.time, ended: event.time, size: sizeAtReset)
                } else {
                    let (submitted, session) = Self.splitTypedLine(inputs)
                    let t0 = submitted ?? lastMarkerTime
                    item = TranscriptCommand(
                        line: line, exit: exit, output: capped, startMarked: false,
                        input: session.map { Self.replayable($0, line, since: t0) }, started: t0, ended: event.time, size: sizeAtReset)
                }
                reset()
                return .command(item)
            case "hint", "solution", "skip", "reset":
                return .labAction(payload, time: event.time)
            default:
                return nil
            }
        }
    }

    /// `input` timed from `start`. The lab's prompt with the typed command is not something a
    /// replay shows: no line to wait for.
    static func replayable(_ input: TimedText, _ line: String, since start: Double) -> TimedText {
        var t = input
        t.time = max(0, t.time - start)
        if let after = t.after, after.contains(line) || after.hasSuffix("] $") { t.after = nil }
        return t
    }

    private var capped: String {
        outputBytes > Self.outputCap ? output + "\n[… \(outputBytes - Self.outputCap) more bytes not kept]" : output
    }

    private mutating func reset() {
        output = ""
        outputBytes = 0
        inputs = []
        start = nil
        sizeAtReset = size
    }

    /// Without a start marker, the input since the last marker is the typed command line, its
    /// Enter, then whatever went to the command: split after the first Enter that ends a
    /// non-empty line. Returns the time of that Enter and the rest; a resize before it is kept,
    /// first, so the command starts at the size the learner had.
    static func splitTypedLine(_ inputs: [TimedText]) -> (Double?, [TimedText]) {
        var typedSomething = false
        var resized: TimedText?
        for (i, chunk) in inputs.enumerated() {
            if chunk.resize != nil {
                resized = chunk
                continue
            }
            let chars = Array(chunk.text)
            for (j, c) in chars.enumerated() {
                if c == "\r" || c == "\n" || c == "\r\n" {
                    guard typedSomething else { continue }
                    var rest: [TimedText] = resized.map { r in [TimedText(time: chunk.time, text: "", resize: r.resize)] } ?? []
                    let tail = String(chars[(j + 1)...])
                    if !tail.isEmpty { rest.append(TimedText(time: chunk.time, text: tail, after: chunk.after)) }
                    rest += inputs[(i + 1)...]
                    return (chunk.time, rest)
                }
                typedSomething = true
            }
        }
        return (nil, [])
    }
}
