import BerthCore
import BerthImages
import BerthRuntime
import Foundation

/// What Tab offers in the lab: `docker` subcommands and their flags, image and container names
/// and IDs where a command takes them, chapter names after `:start`, and the lab's `:commands`.
/// Pure: the caller supplies the names, so tests need no state store.
package struct Completion: Sendable {
    package var chapters: [String] = []
    package var images: [String] = []
    package var containers: [String] = []

    package init(chapters: [String] = [], images: [String] = [], containers: [String] = []) {
        self.chapters = chapters
        self.images = images
        self.containers = containers
    }

    /// Image names (`busybox:latest` and `busybox`) and short IDs, container names and short
    /// IDs, read from the state store now.
    package static func current(paths: StatePaths, chapters: [String]) -> Completion {
        let images = ImageStore(paths: paths).images()
        var imageWords: [String] = []
        for image in images {
            for tag in image.repoTags {
                imageWords.append(tag)
                if tag.hasSuffix(":latest") { imageWords.append(String(tag.dropLast(7))) }
            }
            imageWords.append(image.id.short)
        }
        let records = (try? Runtime(paths: paths).containers()) ?? []
        let containerWords = records.flatMap { [$0.displayName, $0.id.short] }
        return Completion(chapters: chapters, images: imageWords, containers: containerWords)
    }

    /// Candidates for `word`, the word under the cursor, given everything typed before it
    /// (`before`). nil means "no opinion": the editor falls back to file names.
    package func candidates(before: String, word: String) -> [String]? {
        // The words of the command being typed: after the last `|`, `;`, `&&`…
        var words: [String] = []
        for token in ShellWords.tokens(before) {
            switch token {
            case .separator: words = []
            case .word(let w): words.append(w)
            }
        }
        guard let first = words.first else {
            if word.hasPrefix(":") { return filter(LabSession.labCommands, word) }
            let programs = filter(["docker", "berth"], word)
            return programs.isEmpty ? nil : programs
        }
        if first.hasPrefix(":") {
            guard words.count == 1 else { return [] }
            switch first {
            case ":start": return filter(chapters + chapters.map { String($0.drop { $0.isNumber || $0 == "-" }) }, word)
            case ":lang": return filter(["ko", "en"], word)
            case ":solution": return filter(["run"], word)
            default: return []
            }
        }
        guard first == "docker" || first == "berth" else { return nil }
        let args = Array(words.dropFirst())
        guard let sub = args.first(where: { !$0.hasPrefix("-") }) else {
            return filter(Self.subcommands, word)
        }
        var command = sub
        var rest = Array(args.drop { $0 != sub }.dropFirst())
        if let actions = Self.management[sub] {
            guard let action = rest.first else { return filter(actions, word) }
            command = Self.aliases[sub + " " + action] ?? action
            rest.removeFirst()
        }
        if word.hasPrefix("-") { return filter(Self.flags[command] ?? ["--help"], word) }
        if let last = rest.last, Self.flagsWithValue.contains(last) { return nil }
        let positional = rest.enumerated().filter { i, w in
            !w.hasPrefix("-") && !(i > 0 && Self.flagsWithValue.contains(rest[i - 1]))
        }.count
        switch command {
        case "run", "create":
            return positional == 0 ? filter(images, word) : nil
        case "rmi", "history", "save", "tag":
            return filter(images, word)
        case "inspect":
            return filter(containers + images, word)
        case "cp":
            return nil
        case "start", "stop", "restart", "kill", "rm", "attach", "logs", "port", "wait", "rename", "commit",
            "export", "stats", "top", "pause", "unpause":
            return command == "rename" && positional > 0 ? [] : filter(containers, word)
        case "exec":
            return positional == 0 ? filter(containers, word) : nil
        default:
            return nil
        }
    }

    func filter(_ words: [String], _ prefix: String) -> [String] {
        var seen = Set<String>()
        return words.filter { $0.hasPrefix(prefix) && seen.insert($0).inserted }.sorted()
    }

    package static let subcommands = [
        "attach", "commit", "container", "cp", "create", "exec", "export", "history", "image", "images", "import",
        "info", "inspect", "kill", "load", "logs", "network", "port", "ps", "pull", "rename", "restart", "rm", "rmi",
        "run", "save", "start", "stats", "stop", "system", "tag", "version", "wait",
    ]

    static let management: [String: [String]] = [
        "container": ["attach", "commit", "cp", "create", "exec", "export", "inspect", "kill", "logs", "ls", "port",
                      "prune", "rename", "restart", "rm", "run", "start", "stats", "stop", "wait"],
        "image": ["history", "import", "inspect", "load", "ls", "prune", "pull", "rm", "save", "tag"],
        "network": ["inspect", "ls"],
        "system": ["df", "info", "prune"],
    ]

    static let aliases = ["image rm": "rmi", "image ls": "images", "container ls": "ps", "image inspect": "inspect",
                          "container inspect": "inspect"]

    static let flagsWithValue: Set<String> = Set([
        "--name", "-p", "--publish", "-e", "--env", "-v", "--volume", "-w", "--workdir", "-u", "--user", "-h",
        "--hostname", "--memory", "-m", "--cpus", "--pids-limit", "--network", "--net", "--entrypoint", "-l",
        "--label", "-f", "--format", "--filter", "-o", "--output", "-i", "--input", "-t", "--time", "-n", "--tail",
        "--cap-add", "--cap-drop", "--security-opt", "--since", "--until",
    ]).subtracting(["-i", "-t"])

    static let runFlags = [
        "-d", "--detach", "-i", "--interactive", "-t", "--tty", "-it", "--rm", "--name", "-p", "--publish", "-P",
        "--publish-all", "-e", "--env", "-v", "--volume", "-w", "--workdir", "-u", "--user", "-h", "--hostname",
        "--memory", "--cpus", "--pids-limit", "--network", "--entrypoint", "-l", "--label", "--cap-add",
        "--cap-drop", "--privileged", "--security-opt", "--help",
    ]

    static let flags: [String: [String]] = [
        "run": runFlags,
        "create": runFlags.filter { $0 != "-d" && $0 != "--detach" && $0 != "--rm" } + ["--rm"],
        "ps": ["-a", "--all", "-q", "--quiet", "--no-trunc", "--format", "-f", "--filter", "-l", "--latest",
               "-n", "-s", "--size", "--help"],
        "images": ["-a", "--all", "-q", "--quiet", "--no-trunc", "--format", "--digests", "--help"],
        "rm": ["-f", "--force", "-v", "--volumes", "--help"],
        "rmi": ["-f", "--force", "--no-prune", "--help"],
        "start": ["-a", "--attach", "-i", "--interactive", "--help"],
        "stop": ["-t", "--time", "--help"],
        "restart": ["-t", "--time", "--help"],
        "kill": ["-s", "--signal", "--help"],
        "exec": ["-d", "--detach", "-i", "--interactive", "-t", "--tty", "-it", "-e", "--env", "-u", "--user",
                 "-w", "--workdir", "--privileged", "--help"],
        "logs": ["-f", "--follow", "-t", "--timestamps", "-n", "--tail", "--since", "--until", "--help"],
        "inspect": ["-f", "--format", "-s", "--size", "--type", "--help"],
        "attach": ["--detach-keys", "--no-stdin", "--sig-proxy", "--help"],
        "history": ["-H", "--human", "--no-trunc", "-q", "--quiet", "--format", "--help"],
        "save": ["-o", "--output", "--help"],
        "load": ["-i", "--input", "-q", "--quiet", "--help"],
        "commit": ["-a", "--author", "-m", "--message", "-c", "--change", "-p", "--pause", "--help"],
        "cp": ["-a", "--archive", "-L", "--follow-link", "--help"],
        "prune": ["-f", "--force", "-a", "--all", "--help"],
        "info": ["-f", "--format", "--help"],
        "stats": ["-a", "--all", "--no-stream", "--format", "--help"],
        "port": ["--help"], "rename": ["--help"], "tag": ["--help"], "wait": ["--help"],
        "export": ["-o", "--output", "--help"], "import": ["-c", "--change", "-m", "--message", "--help"],
        "pull": ["-a", "--all-tags", "-q", "--quiet", "--platform", "--help"],
        "df": ["-v", "--verbose", "--help"],
    ]
}
