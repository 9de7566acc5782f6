import Foundation

/// The languages every lesson text is written in.
package enum Language: String, Codable, Sendable, CaseIterable {
    case ko, en
}

/// One chapter: `Lessons/NN-name/lesson.yaml` with its texts from `ko.md` and `en.md`.
package struct Lesson: Codable, Sendable, Equatable {
    /// The folder name, e.g. `01-images`.
    package var id: String
    /// Absolute path of the folder; the REPL exports it as `$LESSON_DIR` for setup commands.
    package var directory: String
    package var title: String  // text key
    package var intro: String?  // text key
    /// Shell lines the REPL runs when the chapter starts or is reset.
    package var setup: [String]
    package var steps: [Step]
    /// Mistakes that apply to every step: the chapter's own, then the common ones.
    package var mistakes: [Mistake]
    /// key → text, per language, with `Lessons/common` texts merged in underneath.
    package var texts: [Language: [String: String]]

    /// The text for `key`, or the key itself if it is missing (the loader makes sure it is not).
    package func text(_ key: String, _ language: Language) -> String {
        texts[language]?[key] ?? key
    }

    package func step(_ id: String) -> Step? { steps.first { $0.id == id } }
}

/// One thing to do, checked against the state of the machine.
package struct Step: Codable, Sendable, Equatable {
    package var id: String
    package var goal: String  // text key
    package var explain: String?  // text key, shown once the step passes
    package var setup: [String]
    package var checks: [Check]
    package var hints: [String]  // text keys, gentle to explicit
    package var solution: [String]  // commands
    package var mistakes: [Mistake]
    /// false when a later step of the chapter undoes what this one made (the container is
    /// renamed, the tag removed): `berth lab check` does not expect it to hold at the end.
    package var final: Bool = true
}

/// A common wrong command and the hint that answers it.
package struct Mistake: Codable, Sendable, Equatable {
    package var when: MistakePattern
    package var hint: String  // text key

    package init(when: MistakePattern, hint: String) {
        self.when = when
        self.hint = hint
    }
}

/// What a typed command must look like for a mistake to apply. Every field that is set must
/// hold; the patterns look at `docker`/`berth` invocations only, split the way a shell would.
package struct MistakePattern: Codable, Sendable, Equatable {
    /// Subcommands (`run`, `exec`, `container prune`); nil means any.
    package var commands: [String]?
    /// An argument equal to this, e.g. `-name`.
    package var argvHas: String?
    /// A regular expression that some argument matches.
    package var argvRegex: String?
    /// An option (`-p`) whose value must match `valueRegex`.
    package var option: String?
    package var valueRegex: String?
    /// `-p IP:HOST:CONTAINER` with an IP this host does not have.
    package var publishIPNotLocal: Bool
    /// A regular expression the command's output matches: a refusal only the state explains
    /// (`rmi` of an image a container uses), which the line alone cannot tell.
    package var outputRegex: String?

    package init(
        commands: [String]? = nil, argvHas: String? = nil, argvRegex: String? = nil, option: String? = nil,
        valueRegex: String? = nil, publishIPNotLocal: Bool = false, outputRegex: String? = nil
    ) {
        self.outputRegex = outputRegex
        self.commands = commands
        self.argvHas = argvHas
        self.argvRegex = argvRegex
        self.option = option
        self.valueRegex = valueRegex
        self.publishIPNotLocal = publishIPNotLocal
    }
}
