import Foundation

/// go-units' `HumanSizeWithPrecision`: decimal units (`2.048kB`), `precision` significant
/// digits. Docker prints 3 in `images`, `history` and `system df`, 4 (go-units' `HumanSize`)
/// in pull progress and the build context line.
public enum HumanSize {
    public static func string(_ bytes: Int64, precision: Int = 3) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(bytes)
        var i = 0
        while value >= 1000 && i < units.count - 1 {
            value /= 1000
            i += 1
        }
        var text = String(format: "%.\(precision)g", value)
        if text.contains("e") { text = String(format: "%.0f", value) }  // 1000 in the last unit
        return text + units[i]
    }
}
