/// Docker's usage errors, worded as docker/cli 28 prints them (cli/required.go and the cobra
/// flag errors): a missing argument exits 1, an unknown flag 125, an unknown command 1. The
/// usage lines are Docker's own, so a learner who mistypes sees what Docker would show.
enum DockerUsage {
    enum Arity {
        case atLeast(Int), exactly(Int), between(Int, Int), any
    }

    /// Command path → usage after `docker PATH`, and how many arguments it takes.
    static let table: [String: (usage: String, arity: Arity)] = [
        "run": ("[OPTIONS] IMAGE [COMMAND] [ARG...]", .atLeast(1)),
        "create": ("[OPTIONS] IMAGE [COMMAND] [ARG...]", .atLeast(1)),
        "start": ("[OPTIONS] CONTAINER [CONTAINER...]", .atLeast(1)),
        "stop": ("[OPTIONS] CONTAINER [CONTAINER...]", .atLeast(1)),
        "restart": ("[OPTIONS] CONTAINER [CONTAINER...]", .atLeast(1)),
        "kill": ("[OPTIONS] CONTAINER [CONTAINER...]", .atLeast(1)),
        "rm": ("[OPTIONS] CONTAINER [CONTAINER...]", .atLeast(1)),
        "ps": ("[OPTIONS]", .any),
        "inspect": ("[OPTIONS] NAME|ID [NAME|ID...]", .atLeast(1)),
        "logs": ("[OPTIONS] CONTAINER", .exactly(1)),
        "exec": ("[OPTIONS] CONTAINER COMMAND [ARG...]", .atLeast(2)),
        "cp": ("[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-", .exactly(2)),
        "attach": ("[OPTIONS] CONTAINER", .exactly(1)),
        "wait": ("CONTAINER [CONTAINER...]", .atLeast(1)),
        "rename": ("CONTAINER NEW_NAME", .exactly(2)),
        "port": ("CONTAINER [PRIVATE_PORT[/PROTO]]", .between(1, 2)),
        "diff": ("CONTAINER", .exactly(1)),
        "top": ("CONTAINER [ps OPTIONS]", .atLeast(1)),
        "images": ("[OPTIONS] [REPOSITORY[:TAG]]", .any),
        "pull": ("[OPTIONS] NAME[:TAG|@DIGEST]", .exactly(1)),
        "tag": ("SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", .exactly(2)),
        "rmi": ("[OPTIONS] IMAGE [IMAGE...]", .atLeast(1)),
        "history": ("[OPTIONS] IMAGE", .exactly(1)),
        "save": ("[OPTIONS] IMAGE [IMAGE...]", .atLeast(1)),
        "load": ("[OPTIONS]", .any),
        "import": ("[OPTIONS] file|URL|- [REPOSITORY[:TAG]]", .between(1, 2)),
        "export": ("[OPTIONS] CONTAINER", .exactly(1)),
        "commit": ("[OPTIONS] CONTAINER [REPOSITORY[:TAG]]", .between(1, 2)),
        "build": ("[OPTIONS] PATH | URL | -", .exactly(1)),
        "info": ("[OPTIONS]", .any),
        "login": ("[OPTIONS] [SERVER]", .any),
        "logout": ("[SERVER]", .any),
        "version": ("[OPTIONS]", .any),
        "stats": ("[OPTIONS] [CONTAINER...]", .any),
        "container prune": ("[OPTIONS]", .any),
        "image prune": ("[OPTIONS]", .any),
        "image inspect": ("[OPTIONS] IMAGE [IMAGE...]", .atLeast(1)),
        "container inspect": ("[OPTIONS] CONTAINER [CONTAINER...]", .atLeast(1)),
        "volume create": ("[OPTIONS] [VOLUME]", .any),
        "volume ls": ("[OPTIONS]", .any),
        "volume rm": ("[OPTIONS] VOLUME [VOLUME...]", .atLeast(1)),
        "volume inspect": ("[OPTIONS] VOLUME [VOLUME...]", .atLeast(1)),
        "volume prune": ("[OPTIONS]", .any),
        "network ls": ("[OPTIONS]", .any),
        "network inspect": ("[OPTIONS] NETWORK [NETWORK...]", .atLeast(1)),
        "system df": ("[OPTIONS]", .any),
    ]

    /// The command words at the front of `argv`: `["rm"]`, `["container", "rm"]`.
    static func path(_ argv: [String]) -> String {
        let words = argv.prefix { !$0.hasPrefix("-") }
        guard let first = words.first else { return "" }
        if ["container", "image", "volume", "network", "system"].contains(first), words.count > 1 {
            return first + " " + words[words.startIndex + 1]
        }
        return first
    }

    /// `container rm` takes `rm`'s arguments.
    static func entry(_ path: String) -> (usage: String, arity: Arity)? {
        table[path] ?? (path.hasPrefix("container ") ? table[String(path.dropFirst(10))] : nil)
    }

    static func usageBlock(_ path: String) -> String {
        guard let e = entry(path) else { return "" }
        return "\n\nUsage:  docker \(path) \(e.usage)"
    }

    /// `docker: 'docker rm' requires at least 1 argument` with the usage, exit 1.
    static func missingArguments(_ path: String) -> (String, Int32) {
        func args(_ n: Int) -> String { n == 1 ? "1 argument" : "\(n) arguments" }
        let need: String
        switch entry(path)?.arity ?? .atLeast(1) {
        case .atLeast(let n): need = "requires at least \(args(n))"
        case .exactly(let n): need = "requires \(args(n))"
        case .between(let a, let b): need = "requires at least \(a) and at most \(args(b))"
        case .any: need = "accepts no arguments"
        }
        // ExactArgs, RangeArgs and NoArgs say "Run", RequiresMinArgs "See" (docker/cli required.go).
        let verb: String
        switch entry(path)?.arity ?? .atLeast(1) {
        case .exactly, .between, .any: verb = "Run"
        case .atLeast: verb = "See"
        }
        return ("docker: 'docker \(path)' \(need)\(usageBlock(path))\n\n\(verb) 'docker \(path) --help' for more information", 1)
    }

    /// A flag error (`unknown flag: --bogus`, `unknown shorthand flag: 'n' in -name`, a bad
    /// value) with the usage, exit 125.
    static func flagError(_ what: String, path: String) -> (String, Int32) {
        ("\(what)\(usageBlock(path))\n\nRun 'docker \(path) --help' for more information", 125)
    }

    /// `docker: unknown command: docker bogus`, exit 1.
    static func unknownCommand(_ word: String) -> (String, Int32) {
        ("docker: unknown command: docker \(word)\n\nRun 'docker --help' for more information", 1)
    }
}
