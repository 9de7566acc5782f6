/// Go's text/tabwriter as Docker's CLI configures it (minwidth 10, padding 3, spaces):
/// every tab-terminated cell is padded to its column's width; the last cell is not.
struct TabWriter {
    var minWidth = 10
    var padding = 3
    private var rows: [[String]] = []

    mutating func add(_ line: String) {
        rows.append(line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
    }

    func render() -> String {
        var widths: [Int] = []
        for row in rows {
            for (i, cell) in row.dropLast().enumerated() {
                let w = max(minWidth, cell.count + padding)
                if i >= widths.count { widths.append(w) } else { widths[i] = max(widths[i], w) }
            }
        }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined()
        }.joined(separator: "\n")
    }
}
