#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import Foundation

/// Where a pull looks for its configuration and credentials, and which platform it wants.
package struct PullOptions: Sendable {
    package var registry: RegistryConfig
    package var auth: AuthConfig
    /// `linux/<host arch>` unless `--platform` says otherwise.
    package var platform: Platform

    package init(registry: RegistryConfig = RegistryConfig(), auth: AuthConfig, platform: Platform? = nil) {
        self.registry = registry
        self.auth = auth
        self.platform = platform ?? Platform(architecture: HostArchitecture.current, os: "linux")
    }

    /// `/etc/berth/config.json` (or `$BERTH_CONFIG`) and `$HOME/.config/berth/auth.json`:
    /// read here, once, for both `pull` and `run`'s implicit pull.
    package static func fromEnvironment(platform: Platform? = nil) throws(BerthError) -> PullOptions {
        let env = ProcessInfo.processInfo.environment
        let config = try RegistryConfig.load(path: env["BERTH_CONFIG"] ?? RegistryConfig.defaultPath)
        let home = env["HOME"] ?? "/root"
        return PullOptions(registry: config, auth: AuthConfig(path: AuthConfig.defaultPath(home: home)), platform: platform)
    }
}

extension Platform {
    /// `--platform linux/arm64/v8`.
    package init(parsing text: String) throws(BerthError) {
        let parts = text.lowercased().split(separator: "/").map(String.init)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty }) else {
            throw BerthError(message: "\"\(text)\": unknown operating system or architecture: invalid argument", exitCode: 1)
        }
        self.init(architecture: parts[1], os: parts[0], variant: parts.count == 3 ? parts[2] : nil)
    }

    package var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}

extension ImageStore {
    /// `docker pull`: resolves `reference` on its registry (mirrors first for Docker Hub),
    /// downloads the layers that are not in the store (three at a time, each blob hashed
    /// while it streams to `tmp/`), unpacks them in order with the same `applyLayer` that
    /// `load` uses (DiffID verified, hostile entries refused), then registers the image.
    /// Nothing is registered from a blob that fails its digest; a killed pull leaves only a
    /// `tmp/pull-<pid>-…` directory that the next pull removes. Prints Docker's lines to
    /// `progress`; returns the image and whether it was already up to date.
    package func pull(
        _ reference: ImageReference, options: PullOptions, progress: PullProgress
    ) throws(BerthError) -> (image: Image, upToDate: Bool) {
        try locked { () throws(BerthError) in cleanStaleStaging() }
        let endpoints = options.registry.endpoints(for: reference.domain)
        let credentials = try options.auth.credentials(for: reference.domain)
        var lastError: BerthError?
        // Hosts whose https endpoint answered over TLS: their plain-http twin is not tried
        // after a later failure (moby's `confirmedTLSRegistries`).
        var confirmedTLS: Set<String> = []
        for (i, endpoint) in endpoints.enumerated() {
            let isLast = i == endpoints.count - 1
            if endpoint.url.scheme == "http" && confirmedTLS.contains(endpoint.host) { continue }
            let client = RegistryClient(
                base: endpoint.url, repository: reference.path, credentials: credentials,
                tls: try options.registry.tls(for: endpoint), timeout: options.registry.timeout ?? 30)
            do {
                try client.ping()
                if endpoint.url.scheme == "https" { confirmedTLS.insert(endpoint.host) }
                let resolved = try resolve(reference, client: client, platform: options.platform)
                return try fetch(reference, resolved, client: client, progress: progress)
            } catch let failure as RegistryFailure {
                // An insecure registry whose https does not answer is tried over http next.
                lastError = failure.pullError(reference)
            } catch let error as BerthError {
                // A mirror that is down, lacks the image or serves a bad blob is skipped, as Docker does.
                if isLast { throw error }
                lastError = error
            } catch {
                throw .internalError("pull \(reference.familiar): \(error)")
            }
            if isLast, let lastError { throw lastError }
        }
        throw lastError ?? .internalError("no registry endpoint for \(reference.domain)")
    }

    /// The image manifest to pull, its config bytes, and the digest `Digest:` prints (the
    /// index's, when the tag names a manifest list).
    struct ResolvedImage {
        var digest: Digest
        var manifest: Manifest
        var config: Data
    }

    /// Expects `client.ping()` to have answered.
    func resolve(_ reference: ImageReference, client: RegistryClient, platform: Platform) throws -> ResolvedImage {
        let top = try client.manifest(reference.digest?.string ?? reference.tag ?? ImageReference.defaultTag, expected: reference.digest)
        var manifest = try Self.decodeRegistryManifest(top.data, mediaType: top.mediaType)
        if manifest.isIndex || MediaType.indexes.contains(top.mediaType) {
            guard let pick = Self.pickPlatform(manifest.manifests ?? [], platform) else {
                throw BerthError.noMatchingManifest(platform.description)
            }
            let child = try Digest(parsing: pick.digest)
            let inner = try client.manifest(child.string, expected: child)
            manifest = try Self.decodeRegistryManifest(inner.data, mediaType: inner.mediaType)
            if manifest.isIndex { throw BerthError.unsupportedManifest("nested index \(child)") }
        }
        guard let configDescriptor = manifest.config, manifest.layers != nil else {
            throw BerthError.unsupportedManifest(top.mediaType)
        }
        let config = try client.smallBlob(try Digest(parsing: configDescriptor.digest))
        return ResolvedImage(digest: top.digest, manifest: manifest, config: config)
    }

    static func decodeRegistryManifest(_ data: Data, mediaType: String) throws(BerthError) -> Manifest {
        // Docker schema 1 (signed or not): retired, and its layers carry no DiffIDs.
        if mediaType.hasPrefix("application/vnd.docker.distribution.manifest.v1") {
            throw .unsupportedManifest(mediaType)
        }
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw .unsupportedManifest(mediaType.isEmpty ? "unknown (\(error))" : mediaType)
        }
    }

    /// The entry for `platform` in a manifest list: same OS and architecture, and the same
    /// variant when one is asked for (else the first, as containerd's default matcher).
    static func pickPlatform(_ entries: [Descriptor], _ platform: Platform) -> Descriptor? {
        let candidates = entries.filter { $0.platform?.os == platform.os && $0.platform?.architecture == platform.architecture }
        if let variant = platform.variant { return candidates.first { $0.platform?.variant == variant } }
        return candidates.first
    }

    /// Downloads and unpacks what is missing, then registers the image and its names.
    func fetch(
        _ reference: ImageReference, _ resolved: ResolvedImage, client: RegistryClient, progress: PullProgress
    ) throws -> (image: Image, upToDate: Bool) {
        let config = try ImageConfig.decode(resolved.config, path: "the image config from \(client.base.absoluteString)")
        let layers = resolved.manifest.layers ?? []
        let diffIDs = config.rootfs.diffIDs
        guard diffIDs.count == layers.count else {
            throw BerthError.daemon("the image config names \(diffIDs.count) layers, the manifest \(layers.count)")
        }
        let blobs = try layers.map { (d: Descriptor) throws(BerthError) -> Digest in try Digest(parsing: d.digest) }
        let chainIDs = Digest.chainIDs(diffIDs)
        progress.line("\(reference.digest?.string ?? reference.tag ?? ImageReference.defaultTag): Pulling from \(reference.path)")

        var jobs: [DownloadBoard.Job] = []
        var present: [Bool] = []
        for (i, blob) in blobs.enumerated() {
            let have = try layer(chainID: chainIDs[i]) != nil
            present.append(have)
            if have {
                progress.layer(blob.short, "Already exists")
            } else if !jobs.contains(where: { $0.digest == blob }) {
                progress.layer(blob.short, "Pulling fs layer")
                jobs.append(.init(digest: blob, size: layers[i].size))
            }
        }

        if !jobs.isEmpty {
            let staging = try StoreFiles.stagingDirectory(paths, "pull")
            defer { try? StoreFiles.removeTree(staging) }
            let board = DownloadBoard(jobs: jobs)
            board.start(workers: min(3, jobs.count), client: client, directory: staging, progress: progress)
            do {
                for (i, blob) in blobs.enumerated() where !present[i] {
                    let file = try board.wait(for: blob)
                    let fd = open(file, O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw BerthError.internalError("cannot open \(file)", detail: errnoText()) }
                    defer { close(fd) }
                    progress.layer(blob.short, "Extracting")
                    _ = try applyLayer(file: fd, parent: i == 0 ? nil : chainIDs[i - 1], expected: diffIDs[i])
                    progress.layer(blob.short, "Pull complete")
                    if !blobs[(i + 1)...].contains(blob) { unlink(file) }  // free the space early
                }
            } catch {
                board.cancelAndJoin()
                throw error
            }
            board.cancelAndJoin()
        }

        let imageID = Digest.sha256(of: resolved.config)
        let before = reference.digest == nil ? (try? image(reference.familiar))?.id : (try? image(reference.storeKey))?.id
        let image = try registerImage(configJSON: resolved.config, tags: reference.digest == nil ? [reference.familiar] : [])
        let repository = ImageReference(domain: reference.domain, path: reference.path, tag: nil, digest: nil)
        try addRepoDigest(repository, manifest: resolved.digest, image: imageID)
        progress.line("Digest: \(resolved.digest.string)")
        let upToDate = before == imageID && jobs.isEmpty
        progress.line(upToDate ? "Status: Image is up to date for \(reference.familiar)" : "Status: Downloaded newer image for \(reference.familiar)")
        return (image, upToDate)
    }
}

/// The layer downloads of one pull: worker threads take blobs from `jobs` in manifest order
/// and report each file (or error) here; the puller waits for them one by one, in order.
final class DownloadBoard: @unchecked Sendable {
    struct Job: Sendable {
        var digest: Digest
        var size: Int64
    }

    private let condition = NSCondition()
    private var queue: [Job]
    private var results: [Digest: Result<String, any Error>] = [:]
    private var running = 0
    private var cancelled = false

    init(jobs: [Job]) {
        queue = jobs
    }

    var isCancelled: Bool { condition.withLock { cancelled } }

    func start(workers: Int, client: RegistryClient, directory: String, progress: PullProgress) {
        condition.withLock { running = workers }
        for _ in 0..<workers {
            let thread = Thread { [self] in work(client: client, directory: directory, progress: progress) }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func work(client: RegistryClient, directory: String, progress: PullProgress) {
        while true {
            let next: Job? = condition.withLock {
                if cancelled || queue.isEmpty {
                    running -= 1
                    condition.broadcast()
                    return nil
                }
                return queue.removeFirst()
            }
            guard let job = next else { return }
            let id = job.digest.short
            let path = directory + "/" + job.digest.hex
            let result: Result<String, any Error>
            do {
                let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw BerthError.internalError("cannot create \(path)", detail: errnoText()) }
                defer { close(fd) }
                try client.fetchBlob(job.digest, size: job.size, to: fd, cancelled: { self.isCancelled }) { done in
                    progress.bytes(id, "Downloading", current: done, total: job.size)
                }
                progress.layer(id, "Verifying Checksum")
                progress.layer(id, "Download complete")
                result = .success(path)
            } catch {
                result = .failure(error)
            }
            condition.withLock {
                results[job.digest] = result
                if case .failure = result { cancelled = true }
                condition.broadcast()
            }
        }
    }

    /// Blocks until `digest` is downloaded; rethrows its download's error.
    func wait(for digest: Digest) throws -> String {
        let result: Result<String, any Error>? = condition.withLock {
            // Another download's failure stops the workers: this one may never come.
            while results[digest] == nil && !(cancelled && running == 0) { condition.wait() }
            return results[digest] ?? results.values.first { if case .failure = $0 { true } else { false } }
        }
        guard let result else { throw CancellationError() }
        return try result.get()
    }

    /// Stops the workers after their current read and waits for every thread to leave.
    func cancelAndJoin() {
        condition.withLock {
            cancelled = true
            while running > 0 { condition.wait() }
        }
    }
}
