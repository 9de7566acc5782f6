#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Recognises common wrong commands in a typed line and answers with a targeted hint.
/// It looks only at `docker`/`berth` invocations (after `sudo` and `VAR=x`), split as a shell
/// would split them; the line is never run here.
package struct MistakeMatcher: Sendable {
    private let hostAddresses: @Sendable () -> Set<String>

    /// `hostAddresses` lists the addresses this host has (for `publish_ip: not_local`).
    package init(hostAddresses: @escaping @Sendable () -> Set<String> = { HostAddresses.current() }) {
        self.hostAddresses = hostAddresses
    }

    /// The mistakes `line` makes, in the order given, one per hint key; `output` is what it
    /// printed, for patterns with `output_regex`.
    package func match(_ line: String, output: String = "", against mistakes: [Mistake]) -> [Mistake] {
        let invocations = Self.invocations(in: line)
        guard !invocations.isEmpty else { return [] }
        var seen = Set<String>()
        return mistakes.filter { mistake in
            if let pattern = mistake.when.outputRegex, !Self.matches(pattern, output) { return false }
            return invocations.contains { matches(mistake.when, $0) } && seen.insert(mistake.hint).inserted
        }
    }

    /// A step's own mistakes first, then the chapter's and the common ones.
    package func match(_ line: String, output: String = "", step: Step, lesson: Lesson) -> [Mistake] {
        match(line, output: output, against: step.mistakes + lesson.mistakes)
    }

    /// One `docker …` call: its subcommand names and every argument after `docker`.
    package struct Invocation: Equatable, Sendable {
        package var commands: Set<String>
        package var args: [String]
    }

    package static func invocations(in line: String) -> [Invocation] {
        ShellWords.commands(line).compactMap { words in
            var rest = words[...]
            while let w = rest.first, w == "sudo" || (w.contains("=") && !w.hasPrefix("-")) { rest.removeFirst() }
            guard let program = rest.first, ["docker", "berth"].contains((program as NSString).lastPathComponent)
            else { return nil }
            let args = Array(rest.dropFirst())
            return Invocation(commands: subcommands(args), args: args)
        }
    }

    /// Every name `subcommands` can give, for the loader to refuse a misspelt `command` check.
    static let knownSubcommands: Set<String> = Set(Completion.subcommands)
        .union(Completion.management.flatMap { group, names in names.map { group + " " + $0 } })
        .union(Completion.management.values.joined())

    /// `run`; `container prune` and `prune`; `image rm` and `rmi`.
    static func subcommands(_ args: [String]) -> Set<String> {
        var i = 0
        while i < args.count, args[i].hasPrefix("-") {
            // Global options that take a value: `--root DIR`, `-H HOST`, `--context X`.
            i += ["--root", "-H", "--host", "--context", "-c", "--config", "-l", "--log-level"].contains(args[i]) ? 2 : 1
        }
        guard i < args.count else { return [] }
        let first = args[i]
        var names: Set<String> = [first]
        let management = ["container", "image", "network", "volume", "system"]
        if management.contains(first), i + 1 < args.count {
            let second = args[i + 1]
            names.insert(first + " " + second)
            let aliases = ["image rm": "rmi", "image ls": "images", "image list": "images", "container ls": "ps",
                           "container list": "ps", "image pull": "pull", "image tag": "tag", "image history": "history",
                           "image inspect": "inspect"]
            names.insert(aliases[first + " " + second] ?? (first == "container" ? second : first + " " + second))
        }
        return names
    }

    func matches(_ p: MistakePattern, _ inv: Invocation) -> Bool {
        if let commands = p.commands, inv.commands.isDisjoint(with: commands) { return false }
        if let has = p.argvHas, !inv.args.contains(has) { return false }
        if let pattern = p.argvRegex, !inv.args.contains(where: { Self.matches(pattern, $0) }) { return false }
        if let option = p.option, let pattern = p.valueRegex,
            !Self.values(of: option, in: inv.args).contains(where: { Self.matches(pattern, $0) })
        {
            return false
        }
        if p.publishIPNotLocal {
            let local = hostAddresses()
            let ips = (Self.values(of: "-p", in: inv.args) + Self.values(of: "--publish", in: inv.args))
                .compactMap(Self.publishIP)
            if !ips.contains(where: { !Self.isLocal($0, local) }) { return false }
        }
        return true
    }

    /// The values given to an option: `-p X`, `-pX`, `--publish X`, `--publish=X`.
    static func values(of option: String, in args: [String]) -> [String] {
        let aliases = option == "-p" ? ["-p", "--publish"] : option == "--publish" ? ["-p", "--publish"] : [option]
        var out: [String] = []
        var i = 0
        while i < args.count {
            let a = args[i]
            if aliases.contains(a), i + 1 < args.count {
                out.append(args[i + 1])
                i += 2
                continue
            }
            for alias in aliases {
                if alias.hasPrefix("--"), a.hasPrefix(alias + "=") { out.append(String(a.dropFirst(alias.count + 1))) }
                if !alias.hasPrefix("--"), a.hasPrefix(alias), a.count > alias.count, !a.hasPrefix("--") {
                    out.append(String(a.dropFirst(alias.count)))
                }
            }
            i += 1
        }
        return out
    }

    /// The address of `IP:HOST:CONTAINER` (or `[v6]:HOST:CONTAINER`), if one is given.
    static func publishIP(_ spec: String) -> String? {
        if spec.hasPrefix("["), let close = spec.firstIndex(of: "]") {
            return String(spec[spec.index(after: spec.startIndex)..<close])
        }
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty else { return nil }
        return String(parts[0])
    }

    static func isLocal(_ ip: String, _ local: Set<String>) -> Bool {
        ip == "0.0.0.0" || ip == "::" || ip.hasPrefix("127.") || local.contains(ip)
    }

    static func matches(_ pattern: String, _ text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// The addresses of this host's interfaces.
package enum HostAddresses {
    package static func current() -> Set<String> {
        var result = Set<String>()
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return result }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            cursor = entry.pointee.ifa_next
            guard let addr = entry.pointee.ifa_addr else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let family = Int32(addr.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            let len = socklen_t(family == AF_INET ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
            if getnameinfo(addr, len, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 {
                let s = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                result.insert(String(s.prefix { $0 != "%" }))  // drop a v6 zone (`fe80::1%eth0`)
            }
        }
        return result
    }
}
