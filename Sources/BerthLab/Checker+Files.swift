import Foundation

extension Checker.Evaluation {
    func file(_ check: FileCheck) throws -> CheckFailure? {
        var c = check
        c.path = try expand(c.path)  // `${lab_dir}/box1-hostname`
        switch c.location {
        case .host:
            let path = c.path.hasPrefix("/") ? c.path : context.workingDirectory + "/" + c.path
            let found = FileManager.default.fileExists(atPath: path) ? path : nil
            return try judge(c, found: found, place: .host)
        case .image(let ref):
            guard let image = try reader.image(ref) else { return .imageMissing(ref) }
            let dirs = image.layers.reversed().compactMap(\.diffDir)
            return try judge(c, found: LayeredLookup.find(c.path, in: dirs), place: .image(ref))
        case .volume(let name):
            guard let v = try reader.volume(name) else { return .volumeMissing(name) }
            // Resolved like a layer: a symlink in the volume never leads out of it.
            return try judge(c, found: LayeredLookup.find(c.path, in: [v.mountpoint]), place: .volume(name))
        case .container(let filter, let onlyUpper):
            let candidates = try matching(filter)
            if candidates.isEmpty { return try container(filter) ?? .noContainer(describe(filter)) }
            var first: CheckFailure?
            for candidate in candidates {
                let d = try reader.details(of: candidate)
                let dirs = (d.upperDir.map { [$0] } ?? []) + (onlyUpper ? [] : d.lowerDirs)
                let place: FilePlace = onlyUpper ? .containerLayer(candidate.name) : .container(candidate.name)
                guard let failure = try judge(c, found: LayeredLookup.find(c.path, in: dirs), place: place) else {
                    return nil
                }
                first = first ?? failure
            }
            return first
        }
    }

    func volume(_ c: VolumeCheck) throws -> CheckFailure? {
        guard let v = try reader.volume(c.name) else { return c.exists ? .volumeMissing(c.name) : nil }
        guard c.exists else { return .volumeStillPresent(c.name) }
        guard let user = c.usedBy else { return nil }
        guard let container = try containerNamed(user) else { return .noContainer(user) }
        return v.users.contains(container.id) ? nil : .volumeNotMounted(volume: c.name, container: user)
    }

    private func judge(_ c: FileCheck, found: String?, place: FilePlace) throws -> CheckFailure? {
        guard c.exists else { return found == nil ? nil : .fileUnexpected(place: place, path: c.path) }
        guard let found else { return .fileMissing(place: place, path: c.path) }
        guard let raw = c.contains else { return nil }
        let wanted = try expand(raw)
        // Lesson files are small; a cap keeps a check on a huge file inside the time budget.
        // O_NOFOLLOW: a symlink the learner (or an image) made is never read through, since
        // its target would resolve on the host, outside the layers or the volume.
        let fd = open(found, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        let handle = fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : nil
        let data = (try? handle?.read(upToCount: 1 << 20)) ?? nil
        let text = String(decoding: data ?? Data(), as: UTF8.self)
        return text.contains(wanted) ? nil : .fileContent(place: place, path: c.path, missing: wanted)
    }
}
