import Foundation

extension String {
    /// Without surrounding whitespace: store files written by hand may end with a newline.
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
