import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// One build in progress: the state between steps and one method per instruction.
struct BuildRun {
    let builder: Builder
    let context: BuildContext
    let lex: ShellLex
    let signals: SignalPipe
    /// `--build-arg` values.
    let buildArgs: [String: String]
    /// Build args some ARG declared.
    var consumed: Set<String> = []
    /// ARGs before the first FROM: visible to FROM lines only (unless declared again).
    var metaArgs: [(key: String, value: String?)] = []
    var state = BuildState()
    var fromSeen = false

    /// Docker's predefined args, never reported as unused.
    static let builtinArgs: Set<String> = [
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy",
        "ALL_PROXY", "all_proxy",
    ]
    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    init(builder: Builder, context: BuildContext, lex: ShellLex, signals: SignalPipe, buildArgs: [String: String]) {
        self.builder = builder
        self.context = context
        self.lex = lex
        self.signals = signals
        self.buildArgs = buildArgs
    }

    mutating func dispatch(_ i: Instruction) throws {
        if !fromSeen && i.keyword != "ARG" && i.keyword != "FROM" { throw BerthError.noFromInstruction() }
        switch i.keyword {
        case "FROM": try from(i)
        case "ARG": try arg(i)
        case "RUN": try runStep(i)
        case "COPY", "ADD": try copyStep(i)
        case "ENV": try env(i)
        case "LABEL": try label(i)
        case "WORKDIR":
            var dir = try lex.processWord(i.arguments, env: state.substitution)
            guard !dir.isEmpty else { throw BerthError(message: "WORKDIR requires exactly one argument", exitCode: 1) }
            // Relative to the previous WORKDIR, cleaned like Go's filepath.Clean.
            if !dir.hasPrefix("/") { dir = (state.config.workingDir ?? "/") + "/" + dir }
            let cleaned = DockerIgnore.clean(dir)
            state.config.workingDir = "/" + cleaned
            try commitConfig("WORKDIR \(state.config.workingDir!)")
        case "USER":
            let user = try lex.processWord(i.arguments, env: state.substitution)
            guard !user.isEmpty else { throw BerthError(message: "USER requires exactly one argument", exitCode: 1) }
            state.config.user = user
            try commitConfig("USER \(user)")
        case "EXPOSE":
            let ports = try lex.processWords(i.arguments, env: state.substitution)
            guard !ports.isEmpty else { throw BerthError(message: "EXPOSE requires at least one argument", exitCode: 1) }
            var exposed = state.config.exposedPorts ?? [:]
            for p in ports { exposed[try BuildRun.portKey(p)] = EmptyObject() }
            state.config.exposedPorts = exposed
            try commitConfig("EXPOSE \(ports.joined(separator: " "))")
        case "VOLUME":
            let raw = try i.json.map { (j: [String]) throws(BerthError) -> [String] in
                try j.map { (w: String) throws(BerthError) -> String in try lex.processWord(w, env: state.substitution) }
            } ?? lex.processWords(i.arguments, env: state.substitution)
            let volumes = raw.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            guard !volumes.isEmpty else { throw BerthError(message: "VOLUME specified can not be an empty string", exitCode: 1) }
            var all = state.config.volumes ?? [:]
            for v in volumes { all[v] = EmptyObject() }
            state.config.volumes = all
            try commitConfig("VOLUME [\(volumes.joined(separator: " "))]")
        case "CMD":
            let cmd = i.json ?? state.shell + [i.arguments]
            state.config.cmd = cmd
            state.cmdSet = true
            try commitConfig("CMD \(GoQuote.list(cmd))")
        case "ENTRYPOINT":
            let ep = i.json ?? (i.arguments.isEmpty ? [] : state.shell + [i.arguments])
            state.config.entrypoint = ep.isEmpty ? nil : ep
            // Docker: an ENTRYPOINT drops the base image's CMD unless this stage set one.
            if !state.cmdSet { state.config.cmd = nil }
            try commitConfig("ENTRYPOINT \(GoQuote.list(ep))")
        case "SHELL":
            guard let shell = i.json, !shell.isEmpty else {
                throw BerthError(message: "SHELL requires the arguments to be in JSON form", exitCode: 1)
            }
            state.config.shell = shell
            try commitConfig("SHELL \(GoQuote.list(shell))")
        case "STOPSIGNAL":
            let sig = try lex.processWord(i.arguments, env: state.substitution)
            state.config.stopSignal = sig
            try commitConfig("STOPSIGNAL \(sig)")
        case "MAINTAINER":
            state.author = i.arguments
            try commitConfig("MAINTAINER \(i.arguments)")
        case "ONBUILD":
            let trigger = try Dockerfile.instruction(i.arguments, line: i.line)
            switch trigger.keyword {
            case "ONBUILD": throw BerthError(message: "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed", exitCode: 1)
            case "FROM", "MAINTAINER": throw BerthError(message: "\(trigger.keyword) isn't allowed as an ONBUILD trigger", exitCode: 1)
            default: break
            }
            state.config.onBuild = (state.config.onBuild ?? []) + [i.arguments]
            try commitConfig("ONBUILD \(i.arguments)")
        default:
            throw BerthError.buildInstructionUnsupported(i.keyword)
        }
    }

    // MARK: FROM and ARG

    mutating func from(_ i: Instruction) throws {
        var env: [String: String] = [:]
        for a in metaArgs { if let v = a.value { env[a.key] = v } }
        let words = try lex.processWords(i.arguments, env: env)
        guard words.count == 1 || (words.count == 3 && words[1].lowercased() == "as") else {
            throw BerthError(message: "FROM requires either one or three arguments", exitCode: 1)
        }
        if i.flag("platform") != nil { throw BerthError.buildInstructionUnsupported("FROM --platform") }
        fromSeen = true
        state = BuildState()
        if words[0].lowercased() == "scratch" {
            state.config.env = [BuildRun.defaultPath]
            builder.say(" ---> ")
            return
        }
        let image = try baseImage(words[0])
        state.image = image
        state.config = image.config.config ?? ContainerConfig()
        // Docker adds the default PATH when the base image sets none.
        if !state.env.contains(where: { $0.hasPrefix("PATH=") }) { state.config.env = [BuildRun.defaultPath] + state.env }
        state.cmdSet = false
        builder.say(" ---> \(image.id.short)")
        // The base image's ONBUILD triggers run now, as Docker runs them, and are not inherited.
        let triggers = state.config.onBuild ?? []
        guard !triggers.isEmpty else { return }
        state.config.onBuild = nil
        builder.say("# Executing \(triggers.count) build trigger\(triggers.count == 1 ? "" : "s")")
        for text in triggers {
            let trigger = try Dockerfile.instruction(text, line: i.line)
            try dispatch(trigger)
        }
    }

    /// A local image, or a seed image built on first use; never a pull (berth builds offline).
    func baseImage(_ ref: String) throws -> Image {
        let reference = try ImageReference(parsing: ref)
        do {
            return try builder.images.image(ref)
        } catch where error.message.hasPrefix(BerthError.noSuchImage("").message) {
            if let seed = SeedImage(reference: ref) { return try builder.images.ensureSeed(seed) }
            throw BerthError.pullAccessDenied(reference.familiarName)
        }
    }

    mutating func arg(_ i: Instruction) throws {
        let words = lex.splitWords(i.arguments)
        guard !words.isEmpty else { throw BerthError(message: "ARG requires exactly one argument", exitCode: 1) }
        var comment: [String] = []
        for w in words {
            let parts = w.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let env = fromSeen ? state.substitution : metaEnv
            let def = parts.count > 1 ? try lex.processWord(String(parts[1]), env: env) : nil
            consumed.insert(key)
            var value = buildArgs[key] ?? def
            if fromSeen, value == nil, let meta = metaArgs.first(where: { $0.key == key }) { value = meta.value }
            comment.append(def.map { "\(key)=\($0)" } ?? key)
            if fromSeen {
                state.args.removeAll { $0.key == key }
                state.args.append((key, value))
            } else {
                metaArgs.removeAll { $0.key == key }
                metaArgs.append((key, value))
            }
        }
        if fromSeen { try commitConfig("ARG \(comment.joined(separator: " "))") }
    }

    var metaEnv: [String: String] {
        var env: [String: String] = [:]
        for a in metaArgs { if let v = a.value { env[a.key] = v } }
        return env
    }

    // MARK: ENV and LABEL

    /// `K=V ...` pairs, or the legacy `K V` form (the value is the rest of the line).
    func pairs(_ i: Instruction, keyword: String) throws -> [(String, String)] {
        let env = state.substitution
        let words = lex.splitWords(i.arguments)
        guard let first = words.first else { throw BerthError(message: "\(keyword) requires at least one argument", exitCode: 1) }
        if !first.contains("=") {
            let rest = i.arguments.dropFirst(first.count).trimmingCharacters(in: .whitespaces)
            guard !rest.isEmpty else {
                throw BerthError(message: "\(keyword) must have two arguments", exitCode: 1)
            }
            return [(try lex.processWord(first, env: env), try lex.processWord(rest, env: env))]
        }
        return try words.map { w in
            guard let eq = w.firstIndex(of: "=") else {
                throw BerthError(message: "Syntax error - can't find = in \"\(w)\". Must be of the form: name=value", exitCode: 1)
            }
            return (try lex.processWord(String(w[..<eq]), env: env), try lex.processWord(String(w[w.index(after: eq)...]), env: env))
        }
    }

    mutating func env(_ i: Instruction) throws {
        let kv = try pairs(i, keyword: "ENV")
        for (k, v) in kv { state.setEnv(k, v) }
        try commitConfig("ENV " + kv.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
    }

    mutating func label(_ i: Instruction) throws {
        let kv = try pairs(i, keyword: "LABEL")
        var labels = state.config.labels ?? [:]
        for (k, v) in kv { labels[k] = v }
        state.config.labels = labels
        try commitConfig("LABEL " + kv.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
    }

    static func portKey(_ text: String) throws -> String {
        let parts = text.split(separator: "/", maxSplits: 1)
        let proto = parts.count > 1 ? parts[1].lowercased() : "tcp"
        let range = parts.first.map(String.init) ?? ""
        let numbers = range.split(separator: "-")
        guard !numbers.isEmpty, numbers.count <= 2, numbers.allSatisfy({ UInt16($0) != nil }), ["tcp", "udp", "sctp"].contains(proto) else {
            throw BerthError(message: "Invalid containerPort: \(text)", exitCode: 1)
        }
        return "\(range)/\(proto)"
    }

    // MARK: steps

    /// A config-only step: its image has no new layer and one `empty_layer` history row,
    /// `container_config.Cmd` being `[shell..., "#(nop) ", comment]` as Docker records it.
    mutating func commitConfig(_ comment: String) throws {
        var probe = state.config
        probe.cmd = state.shell + ["#(nop) ", comment]
        if let hit = cached(probe) {
            state.image = hit
            return
        }
        // Docker creates (never starts) a container for a config-only step and commits it;
        // so does berth, so the step's output and `container` field are Docker's.
        var container: ContainerID?
        if let base = state.image {
            var spec = ContainerSpec(image: base.id.string)
            spec.command = probe.cmd!
            spec.entrypoint = ""
            container = try builder.runtime.create(spec, image: base).id
            builder.say(" ---> Running in \(container!.short)")
        }
        defer { if let container { _ = try? builder.runtime.remove(container.rawValue, force: true, volumes: true) } }
        let image = try builder.images.commitBuildStep(
            base: state.image, changes: nil, config: state.config, containerConfig: probe, containerID: container?.rawValue,
            createdBy: probe.cmd!.joined(separator: " "), author: state.author)
        if let c = container {
            builder.say("Removing intermediate container \(c.short)")
            try builder.runtime.remove(c.rawValue, force: true, volumes: true)
            container = nil
        }
        state.image = image
        builder.say(" ---> \(image.id.short)")
    }

    /// The classic builder's cache: a child of the current image whose step record equals
    /// this step's. Prints Docker's lines on a hit.
    func cached(_ probe: ContainerConfig) -> Image? {
        guard !builder.options.noCache, let parent = state.image else { return nil }
        guard let hit = builder.images.children(of: parent.id).first(where: { $0.config.containerConfig == probe }) else {
            return nil
        }
        builder.say(" ---> Using cache")
        builder.say(" ---> \(hit.id.short)")
        return hit
    }
}
