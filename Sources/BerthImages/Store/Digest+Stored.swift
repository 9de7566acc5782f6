import BerthCore

extension Digest {
    /// A digest read back from a store file (`diff`, `parent`, repositories.json): a bad
    /// one means the store is damaged, not that the user typed something wrong.
    init(stored text: String, at path: String) throws(BerthError) {
        do {
            self = try Digest(parsing: text.trimmed)
        } catch {
            throw .imageStoreCorrupt(path, error.message)
        }
    }
}
