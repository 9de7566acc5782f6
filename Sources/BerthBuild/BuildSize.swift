import Foundation

/// go-units `HumanSize`: decimal units, four significant digits (`2.048kB`), as Docker
/// prints the context size.
enum BuildSize {
    static func string(_ bytes: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var i = 0
        while value >= 1000 && i < units.count - 1 {
            value /= 1000
            i += 1
        }
        return String(format: "%.4g", value) + units[i]
    }
}
