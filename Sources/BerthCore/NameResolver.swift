/// Resolves what a user typed (a full ID, a unique ID prefix, or a name) the way Docker does:
/// an exact ID wins, then an exact name, then a unique prefix; two matching prefixes are an error.
public enum NameResolver {
    public enum Match<ID> {
        case found(ID)
        case none
        case ambiguous
    }

    public static func resolve<ID>(
        _ ref: String, in candidates: [(id: String, name: String, value: ID)]
    ) -> Match<ID> {
        let trimmed = ref.hasPrefix("/") ? String(ref.dropFirst()) : ref
        if let c = candidates.first(where: { $0.id == trimmed }) { return .found(c.value) }
        if let c = candidates.first(where: { $0.name == trimmed }) { return .found(c.value) }
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isHexDigit) else { return .none }
        let hits = candidates.filter { $0.id.hasPrefix(trimmed) }
        switch hits.count {
        case 0: return .none
        case 1: return .found(hits[0].value)
        default: return .ambiguous
        }
    }

    /// A name as the daemon takes it: `/web` is `web` (Docker stores names with the slash).
    public static func bare(_ name: String) -> String {
        name.hasPrefix("/") ? String(name.dropFirst()) : name
    }

    /// Docker's rule for `--name`: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count >= 2,
            first.isASCIIAlnum
        else { return false }
        return name.unicodeScalars.dropFirst().allSatisfy { $0.isASCIIAlnum || "_.-".unicodeScalars.contains($0) }
    }
}

extension Unicode.Scalar {
    var isASCIIAlnum: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
