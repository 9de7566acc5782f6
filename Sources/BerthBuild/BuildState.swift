import BerthImages

/// Where a build stands between steps: the image so far (nil right after `FROM scratch`)
/// and the config the next step starts from.
struct BuildState {
    var image: Image?
    var config = ContainerConfig()
    /// ARGs declared in this stage, with their values (a build-arg, else the default).
    var args: [(key: String, value: String?)] = []
    /// Whether this stage set CMD (ENTRYPOINT then keeps it).
    var cmdSet = false
    var author: String?

    var shell: [String] { config.shell ?? ["/bin/sh", "-c"] }

    var env: [String] { config.env ?? [] }

    /// What `$VAR` sees: the declared ARGs, then ENV on top (ENV wins, as in Docker).
    var substitution: [String: String] {
        var out: [String: String] = [:]
        for a in args { if let v = a.value { out[a.key] = v } }
        for e in env {
            let kv = e.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            out[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return out
    }

    /// Build args a RUN sees in its environment (not kept in the image): declared, with a
    /// value, not shadowed by ENV; sorted, as Docker prepends them to the cached command.
    var runArgs: [String] {
        let envKeys = Set(env.map { String($0.split(separator: "=", maxSplits: 1)[0]) })
        var seen: [String: String] = [:]
        for a in args where !envKeys.contains(a.key) { if let v = a.value { seen[a.key] = v } }
        return seen.keys.sorted().map { "\($0)=\(seen[$0]!)" }
    }

    mutating func setEnv(_ key: String, _ value: String) {
        var list = env
        if let i = list.firstIndex(where: { $0.hasPrefix(key + "=") || $0 == key }) {
            list[i] = key + "=" + value
        } else {
            list.append(key + "=" + value)
        }
        config.env = list
    }
}
