import BerthCore

/// The image store in Docker's overlay2 layout under the state root:
///
///     image/overlay2/imagedb/content/sha256/<image-id>        config JSON; id = sha256 of it
///     image/overlay2/layerdb/sha256/<chain-id>/{diff,size,cache-id,parent}
///     image/overlay2/layerdb/mounts/<container-id>/{mount-id,init-id,parent}
///     image/overlay2/repositories.json                         familiar name:tag → image ID
///     overlay2/<cache-id>/{diff,link,lower,work,merged}
///     overlay2/l/<link> -> ../<cache-id>/diff
///
/// Reads take no lock: every file is written whole (temp + fsync + rename) and every
/// directory is built under `tmp/` and renamed into place. Writers that change shared
/// state (layers, images, tags) take the state lock themselves; container-layer calls do
/// not, because the runtime makes them while it already holds the lock (it is not reentrant).
package struct ImageStore: Sendable {
    package let paths: StatePaths

    package init(paths: StatePaths) {
        self.paths = paths
    }

    /// Runs `body` under the state lock. Not reentrant: never call it from inside `paths.withLock`.
    func locked<T>(_ body: () throws(BerthError) -> T) throws(BerthError) -> T {
        try StoreFiles.attempt("cannot take the state lock at \(paths.lockFile)") {
            try paths.withLock { try body() }
        }
    }
}
