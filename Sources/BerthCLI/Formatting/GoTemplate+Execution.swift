import BerthCore

/// Runs a parsed template the way Go's text/template does.
extension GoTemplate {
    struct Execution {
        var out = ""
        /// Variables in scope, innermost last; `$` is the data the template was given.
        var variables: [(name: String, value: TemplateValue)]

        init(root: TemplateValue) { variables = [("$", root)] }

        mutating func walk(_ nodes: [Node], dot: TemplateValue) throws(BerthError) {
            for node in nodes { try walk(node, dot: dot) }
        }

        private mutating func walk(_ node: Node, dot: TemplateValue) throws(BerthError) {
            switch node {
            case .text(let t): out += t
            case .action(let pipe):
                let value = try pipeline(pipe, dot: dot)
                if pipe.declarations.isEmpty { out += value.goString }
            case .ifNode(let pipe, let body, let otherwise):
                try scoped { (e: inout Execution) throws(BerthError) in
                    try e.walk(try e.pipeline(pipe, dot: dot).isTrue ? body : otherwise, dot: dot)
                }
            case .with(let pipe, let body, let otherwise):
                try scoped { (e: inout Execution) throws(BerthError) in
                    let value = try e.pipeline(pipe, dot: dot)
                    if value.isTrue { try e.walk(body, dot: value) } else { try e.walk(otherwise, dot: dot) }
                }
            case .range(let pipe, let body, let otherwise):
                try scoped { (e: inout Execution) throws(BerthError) in try e.range(pipe, body, otherwise, dot: dot) }
            }
        }

        /// Variables declared inside a control structure end with it.
        private mutating func scoped(_ body: (inout Execution) throws(BerthError) -> Void) throws(BerthError) {
            let count = variables.count
            defer { variables.removeLast(variables.count - count) }
            try body(&self)
        }

        private mutating func range(_ pipe: Pipeline, _ body: [Node], _ otherwise: [Node], dot: TemplateValue) throws(BerthError) {
            var declarations = pipe.declarations
            var bare = pipe
            bare.declarations = []
            let value = try pipeline(bare, dot: dot)
            let items: [(TemplateValue, TemplateValue)]
            switch value {
            case .array(let a): items = a.enumerated().map { (.number(Double($0.offset)), $0.element) }
            case .object(let o) where o.isMap: items = o.keys.map { (.string($0), o.values[$0]!) }
            case .null: items = []
            case .number(let n) where n >= 0 && n == n.rounded(): items = (0..<Int(n)).map { (.number(Double($0)), .number(Double($0))) }
            default:
                throw execError(at: pipe.commands.first, "range can't iterate over \(value.goString)")
            }
            if items.isEmpty { return try walk(otherwise, dot: dot) }
            if declarations.count == 1 { declarations = ["", declarations[0]] }
            let count = variables.count
            for (key, element) in items {
                variables.removeLast(variables.count - count)
                if declarations.count == 2 {
                    variables.append((declarations[0], key))
                    variables.append((declarations[1], element))
                }
                try walk(body, dot: element)
            }
        }

        mutating func pipeline(_ pipe: Pipeline, dot: TemplateValue) throws(BerthError) -> TemplateValue {
            var value: TemplateValue?
            for cmd in pipe.commands { value = try command(cmd, dot: dot, final: value) }
            let result = value ?? .null(.noValue)
            for name in pipe.declarations {
                if pipe.isAssignment, let k = variables.lastIndex(where: { $0.name == name }) {
                    variables[k].value = result
                } else {
                    variables.append((name, result))
                }
            }
            return result
        }

        /// A command's value; in a pipe, the previous command's value is its last argument.
        private mutating func command(_ cmd: Command, dot: TemplateValue, final: TemplateValue?) throws(BerthError) -> TemplateValue {
            guard case .function(let name) = cmd.args.first else {
                if final != nil || cmd.args.count > 1 {
                    throw execError(at: cmd, "can't give argument to non-function \(cmd.args.first.map(describe) ?? "")")
                }
                return try operand(cmd.args[0], dot: dot)
            }
            var args: [TemplateValue] = []
            for arg in cmd.args.dropFirst() { args.append(try operand(arg, dot: dot)) }
            if let final { args.append(final) }
            do {
                return try GoTemplate.call(name, args)
            } catch let e as FunctionError {
                throw execError(at: cmd, e.text)
            } catch {
                throw execError(at: cmd, "\(error)")
            }
        }

        private mutating func operand(_ op: Operand, dot: TemplateValue) throws(BerthError) -> TemplateValue {
            switch op {
            case .dot: return dot
            case .variable(let name): return variables.last { $0.name == name }?.value ?? .null(.noValue)
            case .string(let s): return .string(s)
            case .number(let n): return .number(n)
            case .bool(let b): return .bool(b)
            case .null: return .null(.pointer)
            case .pipeline(let p):
                let count = variables.count
                defer { variables.removeLast(variables.count - count) }
                return try pipeline(p, dot: dot)
            case .function(let name):
                do { return try GoTemplate.call(name, []) } catch {
                    throw execError(Command(text: name), error.text)
                }
            case .field(let base, let names, let at):
                var value = try base.map { b throws(BerthError) in try operand(b, dot: dot) } ?? dot
                for name in names { value = try field(name, of: value, at: at) }
                return value
            }
        }

        private func field(_ name: String, of value: TemplateValue, at: Command) throws(BerthError) -> TemplateValue {
            switch value {
            case .object(let o):
                if let v = o.values[name] { return v }
                if let missing = o.missing { return missing }
                if let type = o.typeName { throw execError(at: at, "can't evaluate field \(name) in type \(type)") }
                throw execError(at: at, "map has no entry for key \"\(name)\"")
            case .null(.map): return .null(.noValue)
            case .null: throw execError(at: at, "nil pointer evaluating interface {}.\(name)")
            default: throw execError(at: at, "can't evaluate field \(name) in type \(value.goType)")
            }
        }

        private func describe(_ op: Operand) -> String {
            switch op {
            case .field(_, _, let at): return at.text
            case .variable(let v): return v
            case .dot: return "."
            default: return "\(op)"
            }
        }

        /// Go's execution error: `template: :LINE:COL: executing "" at <NODE>: text`.
        private func execError(at cmd: Command?, _ text: String) -> BerthError {
            execError(cmd ?? Command(), text)
        }

        private func execError(_ cmd: Command, _ text: String) -> BerthError {
            BerthError(message: "template parsing error: template: :\(cmd.line):\(cmd.pos): executing \"\" at <\(cmd.text)>: \(text)", exitCode: 1)
        }
    }
}

extension TemplateValue {
    /// The Go type a value has in Docker's raw inspect data, for error messages.
    var goType: String {
        switch self {
        case .string: return "string"
        case .number: return "float64"
        case .bool: return "bool"
        case .array: return "[]interface {}"
        case .object(let o): return o.typeName ?? "map[string]interface {}"
        case .null: return "interface {}"
        }
    }
}
