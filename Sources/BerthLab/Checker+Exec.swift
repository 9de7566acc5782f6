extension Checker.Evaluation {
    /// Runs the command in the first running container that meets the filter.
    func exec(_ c: ExecCheck) throws -> CheckFailure? {
        let running = try matching(c.container).filter { $0.status == .running }
        guard let target = running.first else {
            return try container(c.container) ?? .notRunning(describe(c.container))
        }
        let (status, stdout) = try reader.exec(in: target, c.command)
        if let wanted = c.status, status != wanted { return .execStatus(name: target.name, actual: status, wanted: wanted) }
        if let raw = c.stdoutContains {
            let wanted = try expand(raw)
            if !stdout.contains(wanted) { return .execOutput(name: target.name, missing: wanted) }
        }
        return nil
    }
}
