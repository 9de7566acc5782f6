import BerthCore

extension BerthError {
    /// How `docker run` reports a failure of its create or start phase (cli's `reportError`
    /// and `runStartContainerErr`): "docker: " before the sentence, one final period, the help
    /// line only for the create phase, and 127/126/125 from the words of the error.
    func reportedByRun(withHelp: Bool) -> BerthError {
        let text = sentence(helpFor: withHelp ? "run" : nil)
        let cause = message.lowercased()
        let code: Int32
        if cause.contains("executable file not found") || cause.contains("no such file or directory") {
            code = 127
        } else if cause.contains("permission denied") || cause.contains("is a directory") {
            code = 126
        } else {
            code = 125
        }
        return BerthError(message: text, exitCode: code, detail: detail)
    }

    /// What the client's flag parsing refused (`run` and `create` alike): always 125.
    func reportedAsFlagError(_ command: String) -> BerthError {
        BerthError(message: sentence(helpFor: command), exitCode: 125, detail: detail)
    }

    private func sentence(helpFor command: String?) -> String {
        var text = message
        while text.hasSuffix(".") { text.removeLast() }
        text = "docker: " + text + "."
        if let command { text += "\nSee 'docker \(command) --help'." }
        return text
    }
}
