import BerthCore
import Foundation

/// What a check can see besides the state store: the last command's output (for
/// `output_contains`) and where relative host paths start.
package struct CheckContext: Sendable {
    /// What the last command printed (stdout and stderr as the terminal showed them).
    package var lastOutput: String
    /// The line the learner ran last, for `command`; nil when the check follows no line.
    package var lastLine: String?
    /// The chapter being checked, for `in_chapter` filters.
    package var chapter: String?
    package var workingDirectory: String
    /// Per HTTP probe; the only checks allowed to take this long.
    package var httpTimeout: Double

    package init(
        lastOutput: String = "", lastLine: String? = nil, chapter: String? = nil,
        workingDirectory: String = FileManager.default.currentDirectoryPath, httpTimeout: Double = 3
    ) {
        self.lastOutput = lastOutput
        self.lastLine = lastLine
        self.chapter = chapter
        self.workingDirectory = workingDirectory
        self.httpTimeout = httpTimeout
    }
}

package struct CheckResult: Sendable {
    package var check: Check
    /// nil when the check holds.
    package var failure: CheckFailure?
    package var passed: Bool { failure == nil }
}

package struct StepResult: Sendable {
    package var results: [CheckResult]
    package var elapsed: Duration
    package var passed: Bool { results.allSatisfy(\.passed) }
    /// The first check that does not hold: what to tell the learner.
    package var firstFailure: CheckFailure? { results.lazy.compactMap(\.failure).first }
}

/// Evaluates checks against the state. Reads only; never changes anything, never runs the CLI.
/// Each evaluation takes a fresh snapshot (`makeReader`), so answers are never stale.
package struct Checker: Sendable {
    private let makeReader: @Sendable () -> any LabStateReader
    /// What `${lab_dir}` stands for; unresolved when nil.
    package var labDirectory: String?

    /// Reads the real state under `paths`.
    package init(paths: StatePaths, labDirectory: String? = nil) {
        makeReader = { LiveLabState(paths: paths) }
        self.labDirectory = labDirectory
    }

    package init(reader: @escaping @Sendable () -> any LabStateReader) {
        makeReader = reader
    }

    package func evaluate(_ step: Step, context: CheckContext) -> StepResult {
        evaluate(step.checks, context: context)
    }

    package func evaluate(_ checks: [Check], context: CheckContext) -> StepResult {
        let clock = ContinuousClock()
        let start = clock.now
        let evaluation = Evaluation(reader: makeReader(), context: context, labDirectory: labDirectory)
        let results = checks.map { CheckResult(check: $0, failure: evaluation.run($0)) }
        return StepResult(results: results, elapsed: clock.now - start)
    }

    /// `text` with its placeholders filled in from the current state, for showing a goal or a
    /// solution; a placeholder that cannot be resolved yet stays as written.
    package func expand(_ text: String) -> String {
        let evaluation = Evaluation(reader: makeReader(), context: CheckContext(), labDirectory: labDirectory)
        return (try? Placeholder.expand(text) { p in (try? evaluation.resolve(p)) ?? p.source }) ?? text
    }

    /// One evaluation: a state snapshot and the context. The check kinds live in
    /// `Checker+*.swift`.
    struct Evaluation {
        let reader: any LabStateReader
        let context: CheckContext
        let labDirectory: String?

        func run(_ check: Check) -> CheckFailure? {
            do {
                switch check {
                case .imagePresent(let c): return try imagePresent(c)
                case .imageAbsent(let c): return try imageAbsent(c)
                case .container(let f): return try container(f)
                case .containerCount(let c): return try containerCount(c)
                case .http(let c): return try http(c)
                case .exec(let c): return try exec(c)
                case .file(let c): return try file(c)
                case .layerShared(let c): return try layerShared(c)
                case .volume(let c): return try volume(c)
                case .outputContains(let c): return try output(c)
                case .command(let names): return command(names)
                case .anyOf(let checks):
                    var failures: [CheckFailure] = []
                    for check in checks {
                        guard let failure = run(check) else { return nil }
                        failures.append(failure)
                    }
                    return .noneOf(failures)
                }
            } catch let unresolved as UnresolvedPlaceholder {
                return .unresolved(unresolved.source)
            } catch let error as BerthError {
                return .stateUnreadable(error.message)
            } catch {
                return .stateUnreadable("\(error)")
            }
        }

        /// The value of a placeholder in the current state.
        func resolve(_ p: Placeholder) throws -> String {
            let arg = p.argument ?? ""
            switch p.kind {
            case .root:
                return reader.stateRoot
            case .labDir:
                guard let labDirectory else { throw UnresolvedPlaceholder(source: p.source) }
                return labDirectory
            case .id, .shortID, .hostname, .ip, .upperDir:
                guard let c = try containerNamed(arg) else { throw UnresolvedPlaceholder(source: p.source) }
                switch p.kind {
                case .id: return c.id
                case .shortID: return String(c.id.prefix(12))
                case .hostname: return c.hostname
                case .ip:
                    let ip = try reader.details(of: c).ipAddress
                    if ip.isEmpty { throw UnresolvedPlaceholder(source: p.source) }
                    return ip
                default:
                    guard let upper = try reader.details(of: c).upperDir else { throw UnresolvedPlaceholder(source: p.source) }
                    return upper
                }
            case .hostPort:
                let port = PortExpectation.normalise(arg)
                for c in try reader.containers() {  // newest first
                    if let bound = c.portBindings[port]?.first?.hostPort, !bound.isEmpty { return bound }
                    if c.status == .running, let published = try reader.details(of: c).publishedPorts[port]?.first?.hostPort,
                        !published.isEmpty
                    {
                        return published
                    }
                }
                throw UnresolvedPlaceholder(source: p.source)
            case .imageID, .imageShortID:
                guard let image = try reader.image(arg) else { throw UnresolvedPlaceholder(source: p.source) }
                return p.kind == .imageID ? image.id : image.shortID
            }
        }

        func expand(_ text: String, forRegex: Bool = false) throws -> String {
            try Placeholder.expand(text, forRegex: forRegex, resolve)
        }

        /// A container by exact name, or by full ID or unique ID prefix, as Docker resolves them.
        func containerNamed(_ ref: String) throws -> ContainerFacts? {
            let all = try reader.containers()
            if let c = all.first(where: { $0.id == ref || $0.name == ref }) { return c }
            let hits = all.filter { $0.id.hasPrefix(ref) }
            return hits.count == 1 ? hits[0] : nil
        }
    }
}

struct UnresolvedPlaceholder: Error {
    var source: String
}
