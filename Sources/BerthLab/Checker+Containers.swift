import BerthImages
import BerthRuntime

extension Checker.Evaluation {
    /// At least one selected container meets every condition. When none does, the failure of
    /// the newest candidate explains the near miss ("web is exited").
    func container(_ filter: ContainerFilter) throws -> CheckFailure? {
        let candidates = try selected(filter)
        if candidates.isEmpty { return .noContainer(describe(filter)) }
        var first: CheckFailure?
        for c in candidates {
            guard let failure = try mismatch(c, filter) else { return nil }
            first = first ?? failure
        }
        return first
    }

    func containerCount(_ count: ContainerCount) throws -> CheckFailure? {
        let n = try matching(count.filter).count
        if count.comparison.holds(n) { return nil }
        let wanted: String
        switch count.comparison {
        case .equals(let m): wanted = "\(m)"
        case .atLeast(let m): wanted = "≥ \(m)"
        case .atMost(let m): wanted = "≤ \(m)"
        }
        return .wrongCount(actual: n, wanted: wanted)
    }

    /// Containers that meet the whole filter.
    func matching(_ filter: ContainerFilter) throws -> [ContainerFacts] {
        try selected(filter).filter { try mismatch($0, filter) == nil }
    }

    /// Containers picked by name, image and ancestor (conditions not applied yet).
    func selected(_ filter: ContainerFilter) throws -> [ContainerFacts] {
        var all = try reader.containers()
        if let name = filter.name { all = all.filter { $0.name == name } }
        if filter.inChapter == true, let chapter = context.chapter { all = all.filter { $0.labChapter == chapter } }
        if let image = filter.image {
            let wanted = canonical(image)
            all = all.filter { canonical($0.imageRef) == wanted }
        }
        if let ancestor = filter.ancestor {
            // By identity, like `ps --filter ancestor=`; by the name as typed only when the
            // image itself is gone (its containers still say what they were made from).
            if let id = try reader.image(ancestor)?.id {
                all = all.filter { $0.imageID == id }
            } else {
                let wanted = canonical(ancestor)
                all = all.filter { canonical($0.imageRef) == wanted }
            }
        }
        return all
    }

    /// The first condition `c` does not meet, or nil.
    func mismatch(_ c: ContainerFacts, _ f: ContainerFilter) throws -> CheckFailure? {
        if let states = f.states, !states.contains(c.status) {
            return .wrongState(name: c.name, actual: c.status.rawValue, wanted: states.map(\.rawValue))
        }
        if f.exitCode != nil || f.exitCodeNot != nil {
            guard c.status == .exited || c.status == .dead else {
                return .wrongState(name: c.name, actual: c.status.rawValue, wanted: ["exited"])
            }
            if let code = f.exitCode, c.exitCode != code {
                return .wrongExitCode(name: c.name, actual: c.exitCode, wanted: code, not: false)
            }
            if let code = f.exitCodeNot, c.exitCode == code {
                return .wrongExitCode(name: c.name, actual: c.exitCode, wanted: code, not: true)
            }
        }
        if let tty = f.tty, c.tty != tty { return .wrongFlag(name: c.name, flag: "-t", wanted: tty) }
        if let i = f.interactive, c.interactive != i { return .wrongFlag(name: c.name, flag: "-i", wanted: i) }
        if let rm = f.autoRemove, c.autoRemove != rm { return .wrongFlag(name: c.name, flag: "--rm", wanted: rm) }
        if let cmd = f.cmd, !c.command.containsRun(cmd) {
            return .wrongCommand(name: c.name, actual: c.command, wanted: cmd)
        }
        for port in f.ports where try bindings(of: c, for: port).isEmpty {
            return .missingPort(name: c.name, port: describe(port))
        }
        return nil
    }

    /// The host side of each binding of `c` that meets `port`: (address to reach, host port).
    /// A random host port (`-p 80`) is read from the running container's network settings.
    func bindings(of c: ContainerFacts, for port: PortExpectation) throws -> [(host: String, port: String)] {
        guard let requested = c.portBindings[port.container], !requested.isEmpty else { return [] }
        var out: [(String, String)] = []
        for b in requested {
            let isRandom = b.hostPort.isEmpty || b.hostPort == "0"
            if let random = port.random, random != isRandom { continue }
            if let ip = port.hostIP, normalisedIP(ip) != normalisedIP(b.hostIP) { continue }
            var hostPort = b.hostPort
            if isRandom {
                let published = try reader.details(of: c).publishedPorts[port.container] ?? []
                hostPort = published.first { normalisedIP($0.hostIP) == normalisedIP(b.hostIP) }?.hostPort
                    ?? published.first?.hostPort ?? ""
            }
            if let wanted = port.host, wanted != hostPort { continue }
            let address = ["", "0.0.0.0", "::"].contains(b.hostIP) ? "127.0.0.1" : b.hostIP
            out.append((address, hostPort))
        }
        return out
    }

    func describe(_ f: ContainerFilter) -> String {
        var parts: [String] = []
        if let n = f.name { parts.append("name=\(n)") }
        if let i = f.image { parts.append("image=\(i)") }
        if let a = f.ancestor { parts.append("ancestor=\(a)") }
        if let s = f.states { parts.append("state=\(s.map(\.rawValue).joined(separator: "|"))") }
        for p in f.ports { parts.append("port=\(describe(p))") }
        return parts.isEmpty ? "any" : parts.joined(separator: ", ")
    }

    func describe(_ p: PortExpectation) -> String {
        (p.hostIP.map { $0 + ":" } ?? "") + (p.host.map { $0 + "->" } ?? "") + p.container
    }

    private func normalisedIP(_ ip: String) -> String { ip.isEmpty ? "0.0.0.0" : ip }
}

/// `busybox`, `busybox:latest` and `docker.io/library/busybox:latest` are one name.
func canonical(_ ref: String) -> String {
    (try? ImageReference(parsing: ref).canonical) ?? ref
}

extension Array where Element == String {
    /// Whether `run` appears in order, without gaps.
    func containsRun(_ run: [String]) -> Bool {
        guard !run.isEmpty else { return true }
        guard run.count <= count else { return false }
        return (0...(count - run.count)).contains { Array(self[$0..<$0 + run.count]) == run }
    }
}
