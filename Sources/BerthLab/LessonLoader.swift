import BerthCore
import Foundation
import Yams

/// Every chapter found under a `Lessons/` folder.
package struct LessonLibrary: Sendable {
    package var lessons: [Lesson]

    /// `01-images`, `01`, `1` or `images`.
    package func lesson(_ name: String) -> Lesson? {
        lessons.first { lesson in
            let number = lesson.id.prefix { $0.isNumber }
            let title = lesson.id.drop { $0.isNumber || $0 == "-" }
            return lesson.id == name || number == name || Int(number) == Int(name) && Int(name) != nil
                || title == name
        }
    }
}

/// What `Lessons/common` adds to every chapter: mistakes that can happen anywhere, and
/// their texts.
package struct CommonLessonData: Sendable {
    package var mistakes: [Mistake] = []
    package var texts: [Language: [String: String]] = [:]

    package init(mistakes: [Mistake] = [], texts: [Language: [String: String]] = [:]) {
        self.mistakes = mistakes
        self.texts = texts
    }
}

/// Loads and validates lessons. Every problem is a `BerthError` naming the file, the step
/// and the field: a bad lesson fails when it loads, never halfway through a learner's session.
package enum LessonLoader {
    package static let commonFolder = "common"

    /// `root/common` (optional) and every `root/NN-name` folder, in order.
    package static func loadLibrary(from root: String) throws -> LessonLibrary {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: root) } catch {
            throw BerthError(message: "cannot read the lessons folder \(root)", exitCode: 125)
        }
        let common = names.contains(commonFolder) ? try loadCommon(at: root + "/" + commonFolder) : CommonLessonData()
        let chapters = names.filter(isChapterFolder).sorted()
        return LessonLibrary(lessons: try chapters.map { try loadLesson(at: root + "/" + $0, common: common) })
    }

    package static func isChapterFolder(_ name: String) -> Bool {
        name.count > 3 && name.prefix(2).allSatisfy(\.isNumber) && name.dropFirst(2).first == "-"
    }

    /// `common/common.yaml` (mistakes) with `common/ko.md` and `common/en.md`.
    package static func loadCommon(at dir: String) throws -> CommonLessonData {
        let texts = try loadTexts(dir)
        let file = dir + "/common.yaml"
        guard FileManager.default.fileExists(atPath: file) else { return CommonLessonData(texts: texts) }
        let root = try compose(file)
        let reader = YAMLReader(file: file)
        let top = try reader.mapping(root, "", allowed: ["mistakes"])
        let mistakes = try top["mistakes"].map {
            try reader.mistakes($0, "mistakes", texts: texts, textFolder: dir)
        } ?? []
        return CommonLessonData(mistakes: mistakes, texts: texts)
    }

    /// One chapter folder: `lesson.yaml`, `ko.md`, `en.md`.
    package static func loadLesson(at dir: String, common: CommonLessonData = CommonLessonData()) throws -> Lesson {
        let absolute = URL(fileURLWithPath: dir).standardizedFileURL.path
        var texts = try loadTexts(dir)
        for language in Language.allCases {
            texts[language] = (common.texts[language] ?? [:]).merging(texts[language] ?? [:]) { $1 }
        }
        let file = dir + "/lesson.yaml"
        let root = try compose(file)
        var reader = YAMLReader(file: file)
        let top = try reader.mapping(root, "", allowed: ["title", "intro", "setup", "steps", "mistakes"])

        func text(_ key: String, _ field: String, _ node: Node?) throws -> String {
            try reader.requireText(key, field, node, texts: texts, textFolder: dir)
            return key
        }
        guard let titleNode = top["title"] else { throw reader.problem("title", root, "is missing") }
        let title = try text(try reader.string(titleNode, "title"), "title", titleNode)
        // Every chapter opens with an intro, in every language (`requireText`).
        guard let introNode = top["intro"] else { throw reader.problem("intro", root, "is missing") }
        let intro: String? = try text(try reader.string(introNode, "intro"), "intro", introNode)
        let setup = try top["setup"].map { try reader.strings($0, "setup") } ?? []
        let chapterMistakes = try top["mistakes"].map {
            try reader.mistakes($0, "mistakes", texts: texts, textFolder: dir)
        } ?? []

        guard let stepsNode = top["steps"] else { throw reader.problem("steps", root, "is missing") }
        let stepNodes = try reader.sequence(stepsNode, "steps")
        if stepNodes.isEmpty { throw reader.problem("steps", stepsNode, "a lesson needs at least one step") }
        var steps: [Step] = []
        var seen: [String: Int] = [:]
        for (index, node) in stepNodes.enumerated() {
            reader.step = nil
            let step = try reader.step(node, index: index, texts: texts, textFolder: dir)
            if let line = seen[step.id] {
                throw reader.problem("id", node, "step id \"\(step.id)\" is used twice (first at line \(line))")
            }
            seen[step.id] = node.mark?.line ?? 0
            steps.append(step)
        }
        return Lesson(
            id: (absolute as NSString).lastPathComponent, directory: absolute, title: title, intro: intro,
            setup: setup, steps: steps, mistakes: chapterMistakes + common.mistakes, texts: texts)
    }

    /// Both languages' texts of a folder. A missing file is an error only for chapters,
    /// which the caller finds out when a key is looked up.
    static func loadTexts(_ dir: String) throws -> [Language: [String: String]] {
        var texts: [Language: [String: String]] = [:]
        for language in Language.allCases {
            let file = dir + "/\(language.rawValue).md"
            guard let markdown = try? String(contentsOfFile: file, encoding: .utf8) else {
                if FileManager.default.fileExists(atPath: file) {
                    throw BerthError.lessonInvalid(file: file, step: nil, field: "(file)", problem: "is not UTF-8 text")
                }
                continue
            }
            do {
                texts[language] = try TextCatalog.parse(markdown)
            } catch let p {
                throw BerthError.lessonInvalid(file: file, line: p.line, step: nil, field: p.key, problem: p.message)
            }
        }
        return texts
    }

    /// Parses YAML into nodes; a syntax error names the line and, as well as it can, the step
    /// and field around it.
    static func compose(_ file: String) throws -> Node {
        guard let yaml = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw BerthError.lessonInvalid(file: file, step: nil, field: "(file)", problem: "cannot be read")
        }
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw BerthError.lessonInvalid(file: file, step: nil, field: "(file)", problem: "is empty")
            }
            return node
        } catch let error as YamlError {
            throw syntaxError(error, file: file, yaml: yaml)
        }
    }

    static func syntaxError(_ error: YamlError, file: String, yaml: String) -> BerthError {
        let line: Int?
        var where_: Int?
        let text: String
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            line = mark.line
            // libyaml often notices the problem on the line after it; the context (e.g. "while
            // parsing a flow mapping") points at where the broken construct began.
            where_ = context?.mark.line ?? mark.line
            text = problem + (context.map { " (\($0.text) at line \($0.mark.line))" } ?? "")
        default:
            line = nil
            text = "\(error)"
        }
        let (step, field) = locate(line: where_ ?? 0, in: yaml)
        return .lessonInvalid(
            file: file, line: line, step: step, field: field ?? "(syntax)", problem: "YAML syntax error: \(text)")
    }

    /// The step (`- id: x` above the line) and the key on the line, for a syntax error.
    static func locate(line: Int, in yaml: String) -> (step: String?, field: String?) {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return (nil, nil) }
        var step: String?
        for l in lines[..<line] {
            let t = l.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("- id:") {
                step = t.dropFirst(5).trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            }
        }
        var here = lines[line - 1].trimmingCharacters(in: .whitespaces)
        if here.hasPrefix("- ") { here = String(here.dropFirst(2)) }
        let key = here.split(separator: ":", maxSplits: 1).first.map(String.init)
        let field = key.flatMap { k in k.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !k.isEmpty ? k : nil }
        return (step, field)
    }
}
