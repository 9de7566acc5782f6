import BerthCore

/// Go's text/template parse tree and parser, for the constructs Docker users write.
extension GoTemplate {
    indirect enum Node {
        case text(String)
        case action(Pipeline)
        case ifNode(Pipeline, body: [Node], otherwise: [Node])
        case range(Pipeline, body: [Node], otherwise: [Node])
        case with(Pipeline, body: [Node], otherwise: [Node])
    }

    struct Pipeline {
        var declarations: [String] = []
        var isAssignment = false
        var commands: [Command] = []
    }

    /// One command of a pipeline; `text` and `pos` are what Go's errors show (`at <printf "%d" .X>`).
    struct Command {
        var args: [Operand] = []
        var text = ""
        var line = 1
        var pos = 0  // the column: Go counts bytes from the line's start
    }

    indirect enum Operand {
        case dot
        case field(base: Operand?, names: [String], at: Command)  // `.A.B`, `$x.A`, `(pipe).A`
        case variable(String)
        case function(String)
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
        case pipeline(Pipeline)
    }

    struct Parser {
        let tokens: [Token]
        let source: [UInt8]
        var i = 0
        var variables = ["$"]

        init(_ source: String) throws(BerthError) {
            tokens = try GoTemplate.lex(source)
            self.source = Array(source.utf8)
        }

        /// The whole template; an `{{end}}` or `{{else}}` at the top is an error, as in Go.
        mutating func parse() throws(BerthError) -> [Node] {
            let (nodes, stop) = try list()
            if let stop { throw error("unexpected {{\(stop)}}") }
            return nodes
        }

        private var peek: Token.Kind? { i < tokens.count ? tokens[i].kind : nil }

        private func error(_ text: String) -> BerthError {
            let pos = i < tokens.count ? tokens[i].pos : source.count
            return GoTemplate.parseError(text, line: 1 + source[..<min(pos, source.count)].filter { $0 == 0x0A }.count)
        }

        /// Nodes up to an `{{end}}` or `{{else}}` (returned, consumed up to its keyword) or the end.
        private mutating func list() throws(BerthError) -> ([Node], String?) {
            var nodes: [Node] = []
            while i < tokens.count {
                switch tokens[i].kind {
                case .text(let t): nodes.append(.text(t)); i += 1
                case .open:
                    i += 1
                    if case .identifier(let word) = peek, ["end", "else"].contains(word) {
                        i += 1
                        return (nodes, word)
                    }
                    nodes.append(try action())
                default: throw error("unexpected \(tokens[i].kind)")
                }
            }
            return (nodes, nil)
        }

        private mutating func action() throws(BerthError) -> Node {
            guard case .identifier(let word) = peek, ["if", "range", "with"].contains(word) else {
                let pipe = try pipeline(context: "command", declarations: true)
                try close()
                return .action(pipe)
            }
            i += 1
            return try control(word)
        }

        /// `if`/`range`/`with` after its keyword, through its `{{end}}`; `{{else if ...}}` nests.
        private mutating func control(_ word: String) throws(BerthError) -> Node {
            let scope = variables.count
            defer { variables.removeLast(variables.count - scope) }
            let pipe = try pipeline(context: word, declarations: true, rangeVariables: word == "range")
            try close()
            let (body, stop) = try list()
            var otherwise: [Node] = []
            switch stop {
            case nil: throw error("unexpected EOF")
            case "else":
                if case .identifier(let next) = peek, next == "if" || next == "with" && word == "with" {
                    i += 1
                    otherwise = [try control(next)]
                    return make(word, pipe, body, otherwise)
                }
                try close()
                let (rest, end) = try list()
                guard end == "end" else { throw error(end == nil ? "unexpected EOF" : "expected end; found {{else}}") }
                otherwise = rest
                try close()
            default: try close()
            }
            return make(word, pipe, body, otherwise)
        }

        private func make(_ word: String, _ pipe: Pipeline, _ body: [Node], _ otherwise: [Node]) -> Node {
            switch word {
            case "if": return .ifNode(pipe, body: body, otherwise: otherwise)
            case "range": return .range(pipe, body: body, otherwise: otherwise)
            default: return .with(pipe, body: body, otherwise: otherwise)
            }
        }

        private mutating func close() throws(BerthError) {
            guard case .close = peek else { throw error(peek == nil ? "unclosed action" : "unexpected \(describe(peek!)) in end") }
            i += 1
        }

        private mutating func pipeline(context: String, declarations: Bool, rangeVariables: Bool = false) throws(BerthError) -> Pipeline {
            var pipe = Pipeline()
            // `$x :=`, `$x =`, and for range `$k, $v :=`.
            if declarations, case .variable(let v) = peek {
                let save = i
                i += 1
                var names = [v]
                if rangeVariables, case .comma = peek, i + 1 < tokens.count, case .variable(let v2) = tokens[i + 1].kind {
                    names.append(v2)
                    i += 2
                }
                switch peek {
                case .declare: pipe.declarations = names; i += 1
                case .assign where names.count == 1: pipe.declarations = names; pipe.isAssignment = true; i += 1
                default: i = save
                }
                if pipe.isAssignment, !variables.contains(v) { throw error("undefined variable \"\(v)\"") }
            }
            while true {
                guard let kind = peek else { throw error("unclosed action") }
                switch kind {
                case .close, .rightParen:
                    if pipe.commands.isEmpty { throw error("missing value for \(context)") }
                    if !pipe.isAssignment { variables += pipe.declarations }
                    return pipe
                case .pipe:
                    if pipe.commands.isEmpty { throw error("missing value for command") }
                    i += 1
                default: pipe.commands.append(try command())
                }
            }
        }

        private mutating func command() throws(BerthError) -> Command {
            var cmd = Command(pos: tokens[i].pos)
            var end = tokens[i].pos
            while let kind = peek {
                if case .close = kind { break }
                if case .pipe = kind { break }
                if case .rightParen = kind { break }
                cmd.args.append(try operand())
                end = i < tokens.count ? tokens[i].pos : source.count
            }
            cmd.text = String(decoding: source[cmd.pos..<max(cmd.pos, end)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if cmd.text.hasSuffix("-") { cmd.text = String(cmd.text.dropLast()).trimmingCharacters(in: .whitespaces) }
            return at(cmd.pos, cmd.text, args: cmd.args)
        }

        /// Where Go's execution errors point: line, and byte column within it.
        private func at(_ pos: Int, _ text: String, args: [Operand] = []) -> Command {
            let before = source[..<pos]
            let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            return Command(args: args, text: text, line: 1 + before.filter { $0 == 0x0A }.count, pos: pos - lineStart)
        }

        /// A term and any `.Field` chain after it.
        private mutating func operand() throws(BerthError) -> Operand {
            let start = tokens[i].pos
            var term: Operand
            var names: [String] = []
            var chainPos = start
            switch tokens[i].kind {
            case .dot: term = .dot
            case .field(let f): term = .dot; names = [f]
            case .variable(let v):
                guard variables.contains(v) else { throw error("undefined variable \"\(v)\"") }
                term = .variable(v)
            case .string(let s): term = .string(s)
            case .number(let n): term = .number(n)
            case .leftParen:
                i += 1
                let pipe = try pipeline(context: "parenthesized pipeline", declarations: false)
                guard case .rightParen = peek else { throw error("unclosed left paren") }
                term = .pipeline(pipe)
            case .identifier(let word):
                switch word {
                case "true", "false": term = .bool(word == "true")
                case "nil": term = .null
                default:
                    guard GoTemplate.functions.contains(word) else { throw error("function \"\(word)\" not defined") }
                    term = .function(word)
                }
            default: throw error("unexpected \(describe(tokens[i].kind)) in operand")
            }
            i += 1
            // Only a field written right after the term (`$x.A`, `(...).A`) continues it.
            while case .field(let f) = peek, ![0x20, 0x09, 0x0A, 0x0D].contains(source[tokens[i].pos - 1]) {
                if names.count == (term.isFieldOfDot ? 1 : 0) { chainPos = tokens[i].pos }
                names.append(f)
                i += 1
            }
            guard !names.isEmpty else { return term }
            let end = i < tokens.count ? tokens[i].pos : source.count
            let text = String(decoding: source[start..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            return .field(base: term.isFieldOfDot ? nil : term, names: names, at: at(chainPos, text))
        }

        private func describe(_ kind: Token.Kind) -> String {
            switch kind {
            case .close: return "\"}}\""
            case .rightParen: return "\")\""
            case .pipe: return "\"|\""
            case .comma: return "\",\""
            case .assign: return "\"=\""
            case .declare: return "\":=\""
            default: return "token"
            }
        }
    }
}

private extension GoTemplate.Operand {
    var isFieldOfDot: Bool {
        if case .dot = self { return true }
        return false
    }
}
