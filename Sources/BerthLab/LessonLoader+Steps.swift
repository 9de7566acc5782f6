import BerthCore
import Foundation
import Yams

extension YAMLReader {
    static let stepFields: Set<String> = ["id", "goal", "explain", "setup", "checks", "hints", "solution", "mistakes", "final"]

    /// A text key must have a `## key` text in every language (the chapter's own file or
    /// `common/`); the error names the file that lacks it.
    func requireText(
        _ key: String, _ field: String, _ node: Node?, texts: [Language: [String: String]], textFolder: String
    ) throws {
        for language in Language.allCases {
            let text = texts[language]?[key]
            if text == nil {
                throw BerthError.lessonInvalid(
                    file: textFolder + "/\(language.rawValue).md", line: nil, step: step, field: field,
                    problem: "no text for key \"\(key)\" (add a \"## \(key)\" heading)")
            }
            if let text { try placeholders(text, field, node) }
        }
    }

    mutating func step(_ node: Node, index: Int, texts: [Language: [String: String]], textFolder: String) throws -> Step {
        // Named first, so that even an unknown field's error says which step it is in.
        step = node["id"]?.string
        let fields = try mapping(node, "steps[\(index)]", allowed: Self.stepFields)
        guard let idNode = fields["id"] else { throw problem("steps[\(index)].id", node, "every step needs an id") }
        let id = try string(idNode, "id")
        step = id
        guard id.first.map({ $0.isLowercase || $0.isNumber }) == true,
            id.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" })
        else {
            throw problem("id", idNode, "step ids use lowercase letters, digits and dashes, got \"\(id)\"")
        }

        func key(_ name: String, _ n: Node) throws -> String {
            let k = try string(n, name)
            try requireText(k, name, n, texts: texts, textFolder: textFolder)
            return k
        }
        guard let goalNode = fields["goal"] else { throw problem("goal", node, "is missing") }
        let goal = try key("goal", goalNode)
        let explain = try fields["explain"].map { try key("explain", $0) }
        let setup = try fields["setup"].map { try strings($0, "setup") } ?? []

        guard let hintsNode = fields["hints"] else { throw problem("hints", node, "is missing") }
        let hintNodes = try sequence(hintsNode, "hints")
        if hintNodes.count < 2 { throw problem("hints", hintsNode, "a step needs at least 2 hints, gentle to explicit") }
        if hintNodes.count > 3 { throw problem("hints", hintsNode, "a step has at most 3 hints; say more in fewer") }
        let hints = try hintNodes.enumerated().map { try key("hints[\($0)]", $1) }

        guard let solutionNode = fields["solution"] else { throw problem("solution", node, "is missing") }
        let solution = try strings(solutionNode, "solution")
        if solution.isEmpty { throw problem("solution", solutionNode, "a step needs a solution") }
        for (i, line) in solution.enumerated() { try placeholders(line, "solution[\(i)]", solutionNode) }

        guard let checksNode = fields["checks"] else { throw problem("checks", node, "is missing") }
        let checkNodes = try sequence(checksNode, "checks")
        if checkNodes.isEmpty { throw problem("checks", checksNode, "a step needs at least one check") }
        let checks = try checkNodes.enumerated().map { try check($1, "checks[\($0)]") }

        let mistakes = try fields["mistakes"].map { try self.mistakes($0, "mistakes", texts: texts, textFolder: textFolder) } ?? []
        let final = try fields["final"].map { try bool($0, "final") } ?? true
        return Step(
            id: id, goal: goal, explain: explain, setup: setup, checks: checks, hints: hints, solution: solution,
            mistakes: mistakes, final: final)
    }

    static let mistakeFields: Set<String> = ["command", "argv_has", "argv_regex", "option", "value_regex", "publish_ip", "output_regex"]

    func mistakes(_ node: Node, _ field: String, texts: [Language: [String: String]], textFolder: String) throws
        -> [Mistake]
    {
        try sequence(node, field).enumerated().map { index, item in
            let f = "\(field)[\(index)]"
            let m = try mapping(item, f, allowed: ["when", "hint"])
            guard let whenNode = m["when"] else { throw problem(f + ".when", item, "is missing") }
            guard let hintNode = m["hint"] else { throw problem(f + ".hint", item, "is missing") }
            let hint = try string(hintNode, f + ".hint")
            try requireText(hint, f + ".hint", hintNode, texts: texts, textFolder: textFolder)
            return Mistake(when: try pattern(whenNode, f + ".when"), hint: hint)
        }
    }

    func pattern(_ node: Node, _ field: String) throws -> MistakePattern {
        let w = try mapping(node, field, allowed: Self.mistakeFields)
        var p = MistakePattern()
        p.commands = try w["command"].map { try strings($0, field + ".command") }
        p.argvHas = try w["argv_has"].map { try string($0, field + ".argv_has") }
        if let n = w["argv_regex"] {
            let r = try string(n, field + ".argv_regex")
            try regex(r, field + ".argv_regex", n)
            p.argvRegex = r
        }
        p.option = try w["option"].map { try string($0, field + ".option") }
        if let n = w["value_regex"] {
            let r = try string(n, field + ".value_regex")
            try regex(r, field + ".value_regex", n)
            p.valueRegex = r
        }
        if (p.option == nil) != (p.valueRegex == nil) {
            throw problem(field, node, "\"option\" and \"value_regex\" go together")
        }
        if let n = w["publish_ip"] {
            guard try string(n, field + ".publish_ip") == "not_local" else {
                throw problem(field + ".publish_ip", n, "the only value is \"not_local\"")
            }
            p.publishIPNotLocal = true
        }
        if let n = w["output_regex"] {
            let r = try string(n, field + ".output_regex")
            try regex(r, field + ".output_regex", n)
            p.outputRegex = r
        }
        if p.argvHas == nil && p.argvRegex == nil && p.option == nil && !p.publishIPNotLocal && p.outputRegex == nil {
            throw problem(
                field, node, "a mistake needs a pattern: argv_has, argv_regex, option + value_regex, publish_ip or output_regex")
        }
        return p
    }
}
