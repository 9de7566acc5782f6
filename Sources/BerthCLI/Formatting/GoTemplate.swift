import BerthCore

/// Go's text/template as `docker ... --format` runs it: fields, pipes, variables, `if`/`range`/`with`,
/// Go's builtins and Docker's extra functions (json, split, join, title, lower, upper, pad, truncate),
/// plus Docker's `table` prefix and `\t`, `\n`.
struct GoTemplate {
    let nodes: [Node]
    /// `table ...`: print a header row first and align columns with a tabwriter.
    let isTable: Bool

    init(_ source: String) throws(BerthError) {
        // Docker's `--format json` is `{{json .}}` for each row.
        var src = source == "json" ? "{{json .}}" : source
        isTable = src.hasPrefix("table ") || src == "table"
        if isTable { src = String(src.dropFirst(5)).trimmingLeadingSpace() }
        src = src.replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
        var parser = try Parser(src)
        nodes = try parser.parse()
    }

    func render(_ value: TemplateValue) throws(BerthError) -> String {
        var exec = Execution(root: value)
        try exec.walk(nodes, dot: value)
        return exec.out
    }

    /// The header row for `table`: each action shows the title of the first field it names.
    func header(_ titles: [String: String]) -> String {
        nodes.map { node in
            switch node {
            case .text(let t): return t
            case .action(let pipe):
                guard let field = pipe.firstField else { return "" }
                return titles[field] ?? field.uppercased()
            default: return ""
            }
        }.joined()
    }
}

extension GoTemplate.Pipeline {
    fileprivate var firstField: String? {
        for cmd in commands {
            for arg in cmd.args {
                switch arg {
                case .field(nil, let names, _): return names.joined(separator: ".")
                case .pipeline(let p): if let f = p.firstField { return f }
                default: continue
                }
            }
        }
        return nil
    }
}

extension String {
    func trimmingLeadingSpace() -> String { String(drop { $0 == " " }) }
}

extension GoTemplate {
    /// Prints rendered rows; a `table` template gets its header row and Docker's column alignment.
    func write(_ rows: [String], titles: [String: String], to console: Console) {
        guard isTable else {
            rows.forEach { console.out($0) }
            return
        }
        var tw = TabWriter()
        tw.add(header(titles))
        rows.forEach { tw.add($0) }
        console.out(tw.render())
    }
}
