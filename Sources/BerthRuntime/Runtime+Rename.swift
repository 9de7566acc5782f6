import BerthCore

extension Runtime {
    /// `docker rename OLD NEW`: Docker's conflict error when NEW is taken.
    public func rename(_ ref: String, to requested: String) throws {
        let newName = NameResolver.bare(requested)
        guard NameResolver.isValidName(newName) else { throw BerthError.invalidName(newName) }
        try paths.withLock {
            var record = try store.resolve(ref)
            if record.displayName == newName {
                throw BerthError.daemon("Renaming a container with the same name as its current name", exitCode: 1)
            }
            if let holder = store.all().first(where: { $0.displayName == newName }) {
                throw BerthError.nameInUse(newName, by: holder.id.rawValue, context: "Error when allocating new name: ")
            }
            record.name = "/" + newName
            try store.save(record)
        }
    }
}
