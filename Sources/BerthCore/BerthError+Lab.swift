/// The lab's sentences: a lesson file that cannot be used, or a progress file that cannot be read.
extension BerthError {
    /// A lesson file that fails to load or validate. The message names the file (with the line
    /// when known), the step and the field, so an author can go straight to the mistake.
    public static func lessonInvalid(
        file: String, line: Int? = nil, step: String?, field: String, problem: String
    ) -> Self {
        let place = line.map { "\(file):\($0)" } ?? file
        let stepPart = step.map { "step \"\($0)\"" } ?? "lesson"
        return .init(message: "invalid lesson \(place): \(stepPart), field \"\(field)\": \(problem)", exitCode: 125)
    }

    /// A progress file that exists but cannot be decoded; the learner's state is not overwritten.
    public static func progressUnreadable(_ path: String, detail: String) -> Self {
        .init(message: "cannot read lab progress \(path): the file is damaged; move it away to start afresh",
              exitCode: 125, detail: detail)
    }
}
