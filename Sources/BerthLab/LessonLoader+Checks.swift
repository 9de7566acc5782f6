import BerthCore
import BerthImages
import BerthRuntime
import Foundation
import Yams

extension YAMLReader {
    static let selectorFields: Set<String> = ["name", "image", "ancestor", "in_chapter"]
    static let filterFields: Set<String> = selectorFields.union([
        "state", "exit_code", "exit_code_not", "tty", "interactive", "auto_remove", "ports", "cmd",
    ])

    /// `- KIND: PARAMS`, one key per check.
    func check(_ node: Node, _ field: String) throws -> Check {
        let known = Check.kinds.joined(separator: ", ")
        guard case .mapping(let m) = node, m.count == 1, let (k, v) = m.first, let kind = k.scalar?.string else {
            throw problem(field, node, "a check is a mapping with one key, its kind (one of: \(known))")
        }
        let f = field + "." + kind
        switch kind {
        case "image_present": return .imagePresent(try imageCheck(v, f))
        case "image_absent": return .imageAbsent(try imageCheck(v, f))
        case "container": return .container(try filter(v, f, allowed: Self.filterFields))
        case "container_count": return .containerCount(try count(v, f))
        case "http": return .http(try http(v, f))
        case "exec": return .exec(try exec(v, f))
        case "file": return .file(try file(v, f))
        case "layer_shared": return .layerShared(try layerShared(v, f))
        case "volume": return .volume(try volume(v, f))
        case "output_contains": return .outputContains(try output(v, f))
        case "command":
            let names = v.scalar != nil ? [try string(v, f)] : try strings(v, f)
            for name in names where !MistakeMatcher.knownSubcommands.contains(name) {
                throw problem(f, v, "\"\(name)\" is not a docker subcommand the lab knows")
            }
            if names.isEmpty { throw problem(f, v, "names at least one subcommand") }
            return .command(names)
        case "any_of":
            let items = try sequence(v, f)
            if items.count < 2 { throw problem(f, v, "any_of needs at least two checks") }
            return .anyOf(try items.enumerated().map { try check($1, "\(f)[\($0)]") })
        default:
            throw problem(field, k, "unknown check kind \"\(kind)\" (known: \(known))")
        }
    }

    /// An image reference Docker would accept, checked now rather than in front of a learner.
    func imageRef(_ node: Node, _ field: String) throws -> String {
        let ref = try string(node, field)
        do { _ = try ImageReference(parsing: ref) } catch { throw problem(field, node, error.message) }
        return ref
    }

    func imageCheck(_ node: Node, _ field: String) throws -> ImageCheck {
        if node.scalar != nil { return ImageCheck(ref: try imageRef(node, field)) }
        let m = try mapping(node, field, allowed: ["ref", "same_as"])
        guard let ref = m["ref"] else { throw problem(field + ".ref", node, "is missing") }
        return ImageCheck(ref: try imageRef(ref, field + ".ref"), sameAs: try m["same_as"].map { try imageRef($0, field + ".same_as") })
    }

    /// A container filter; a plain text is a container name (`container: web`).
    func filter(_ node: Node, _ field: String, allowed: Set<String>) throws -> ContainerFilter {
        if node.scalar != nil { return ContainerFilter(name: try string(node, field)) }
        let m = try mapping(node, field, allowed: allowed)
        var f = ContainerFilter()
        f.name = try m["name"].map { try string($0, field + ".name") }
        f.image = try m["image"].map { try imageRef($0, field + ".image") }
        f.ancestor = try m["ancestor"].map { try imageRef($0, field + ".ancestor") }
        f.inChapter = try m["in_chapter"].map { try bool($0, field + ".in_chapter") }
        if let n = m["state"] {
            f.states = try strings(n, field + ".state").map { s in
                guard let state = ContainerStatus(rawValue: s) else {
                    throw problem(field + ".state", n, "unknown state \"\(s)\" (created, running, paused, restarting, exited, dead)")
                }
                return state
            }
        }
        f.exitCode = try m["exit_code"].map { Int32(try int($0, field + ".exit_code")) }
        f.exitCodeNot = try m["exit_code_not"].map { Int32(try int($0, field + ".exit_code_not")) }
        f.tty = try m["tty"].map { try bool($0, field + ".tty") }
        f.interactive = try m["interactive"].map { try bool($0, field + ".interactive") }
        f.autoRemove = try m["auto_remove"].map { try bool($0, field + ".auto_remove") }
        f.cmd = try m["cmd"].map { try strings($0, field + ".cmd") }
        if let n = m["ports"] {
            f.ports = try sequence(n, field + ".ports").enumerated().map { i, p in
                try port(p, "\(field).ports[\(i)]")
            }
        }
        return f
    }

    func port(_ node: Node, _ field: String) throws -> PortExpectation {
        if node.scalar != nil { return PortExpectation(container: try containerPort(node, field)) }
        let m = try mapping(node, field, allowed: ["container", "host", "host_ip", "random"])
        guard let c = m["container"] else { throw problem(field + ".container", node, "is missing") }
        var p = PortExpectation(container: try containerPort(c, field + ".container"))
        if let h = m["host"] {
            p.host = try string(h, field + ".host")
            guard let n = Int(p.host!), (1...65535).contains(n) else { throw problem(field + ".host", h, "expected a port number") }
        }
        p.hostIP = try m["host_ip"].map { try string($0, field + ".host_ip") }
        p.random = try m["random"].map { try bool($0, field + ".random") }
        return p
    }

    func containerPort(_ node: Node, _ field: String) throws -> String {
        let s = try string(node, field)
        let parts = s.split(separator: "/")
        guard let n = Int(parts[0]), (1...65535).contains(n), parts.count <= 2,
            parts.count == 1 || ["tcp", "udp", "sctp"].contains(parts[1].lowercased())
        else { throw problem(field, node, "expected a container port such as 80 or 80/tcp, got \"\(s)\"") }
        return PortExpectation.normalise(s)
    }

    func count(_ node: Node, _ field: String) throws -> ContainerCount {
        let comparisons: Set<String> = ["equals", "at_least", "at_most"]
        let m = try mapping(node, field, allowed: Self.filterFields.union(comparisons))
        let given = comparisons.filter { m[$0] != nil }
        guard given.count == 1, let which = given.first, let n = m[which] else {
            throw problem(field, node, "give exactly one of equals, at_least, at_most")
        }
        let value = try int(n, field + "." + which)
        let comparison: ContainerCount.Comparison =
            which == "equals" ? .equals(value) : which == "at_least" ? .atLeast(value) : .atMost(value)
        let rest = Node(m.filter { !comparisons.contains($0.key) }.map { (Node($0.key), $0.value) })
        return ContainerCount(filter: try filter(rest, field, allowed: Self.filterFields), comparison: comparison)
    }

    func http(_ node: Node, _ field: String) throws -> HTTPCheck {
        let m = try mapping(node, field, allowed: ["url", "via", "path", "status", "body_contains"])
        let target: HTTPCheck.Target
        switch (m["url"], m["via"]) {
        case (let u?, nil):
            let url = try string(u, field + ".url")
            try placeholders(url, field + ".url", u)
            guard url.hasPrefix("http://") else { throw problem(field + ".url", u, "only http:// URLs can be probed") }
            target = .url(url)
        case (nil, let v?):
            let via = try mapping(v, field + ".via", allowed: Self.selectorFields.union(["container_port", "host_ip"]))
            guard let cp = via["container_port"] else { throw problem(field + ".via.container_port", v, "is missing") }
            let selector = Node(via.filter { Self.selectorFields.contains($0.key) }.map { (Node($0.key), $0.value) })
            target = .published(
                filter: try filter(selector, field + ".via", allowed: Self.selectorFields),
                containerPort: try containerPort(cp, field + ".via.container_port"),
                hostIP: try via["host_ip"].map { try string($0, field + ".via.host_ip") })
        default:
            throw problem(field, node, "give either url or via")
        }
        var check = HTTPCheck(target: target)
        if let p = m["path"] {
            check.path = try string(p, field + ".path")
            guard check.path.hasPrefix("/") else { throw problem(field + ".path", p, "must start with /") }
        }
        check.status = try m["status"].map { try int($0, field + ".status") }
        if let b = m["body_contains"] {
            check.bodyContains = try string(b, field + ".body_contains")
            try placeholders(check.bodyContains!, field + ".body_contains", b)
        }
        if check.status == nil && check.bodyContains == nil { check.status = 200 }
        return check
    }

    func exec(_ node: Node, _ field: String) throws -> ExecCheck {
        let m = try mapping(node, field, allowed: ["container", "command", "stdout_contains", "status"])
        guard let c = m["container"] else { throw problem(field + ".container", node, "is missing") }
        guard let cmd = m["command"] else { throw problem(field + ".command", node, "is missing") }
        var check = ExecCheck(
            container: try filter(c, field + ".container", allowed: Self.filterFields),
            command: try strings(cmd, field + ".command"))
        if let s = m["stdout_contains"] {
            check.stdoutContains = try string(s, field + ".stdout_contains")
            try placeholders(check.stdoutContains!, field + ".stdout_contains", s)
        }
        check.status = try m["status"].map { Int32(try int($0, field + ".status")) }
        return check
    }

    /// A name the local volume driver would accept, checked now rather than in front of a learner.
    func volumeName(_ node: Node, _ field: String) throws -> String {
        let name = try string(node, field)
        guard VolumeName.isValid(name) else { throw problem(field, node, "\"\(name)\" is not a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)") }
        return name
    }

    func volume(_ node: Node, _ field: String) throws -> VolumeCheck {
        if node.scalar != nil { return VolumeCheck(name: try volumeName(node, field)) }
        let m = try mapping(node, field, allowed: ["name", "exists", "used_by"])
        guard let n = m["name"] else { throw problem(field + ".name", node, "is missing") }
        var check = VolumeCheck(name: try volumeName(n, field + ".name"))
        check.exists = try m["exists"].map { try bool($0, field + ".exists") } ?? true
        check.usedBy = try m["used_by"].map { try string($0, field + ".used_by") }
        if !check.exists, check.usedBy != nil { throw problem(field, node, "a volume that must not exist cannot be used_by a container") }
        return check
    }

    func file(_ node: Node, _ field: String) throws -> FileCheck {
        let m = try mapping(node, field, allowed: ["container", "image", "volume", "layer", "path", "exists", "contains"])
        guard let p = m["path"] else { throw problem(field + ".path", node, "is missing") }
        let path = try string(p, field + ".path")
        try placeholders(path, field + ".path", p)
        let location: FileCheck.Location
        if m["volume"] != nil && (m["container"] != nil || m["image"] != nil) {
            throw problem(field, node, "give one of container, image or volume")
        }
        switch (m["container"], m["image"]) {
        case (nil, nil) where m["volume"] != nil:
            location = .volume(try volumeName(m["volume"]!, field + ".volume"))
        case (let c?, nil):
            var onlyUpper = false
            if let l = m["layer"] {
                switch try string(l, field + ".layer") {
                case "container": onlyUpper = true
                case "all": onlyUpper = false
                default: throw problem(field + ".layer", l, "expected \"container\" (its own layer only) or \"all\"")
                }
            }
            location = .container(try filter(c, field + ".container", allowed: Self.filterFields), onlyContainerLayer: onlyUpper)
        case (nil, let i?):
            location = .image(try imageRef(i, field + ".image"))
        case (nil, nil):
            location = .host
        default:
            throw problem(field, node, "give container or image, not both")
        }
        if m["layer"] != nil, case .container = location {} else if let l = m["layer"] {
            throw problem(field + ".layer", l, "only a container has layers to choose from")
        }
        if case .host = location {} else if !path.hasPrefix("/") {
            throw problem(field + ".path", p, "a path inside a container, an image or a volume must be absolute")
        }
        var check = FileCheck(location: location, path: path)
        check.exists = try m["exists"].map { try bool($0, field + ".exists") } ?? true
        if let c = m["contains"] {
            if !check.exists { throw problem(field + ".contains", c, "a file that must not exist cannot contain anything") }
            check.contains = try string(c, field + ".contains")
            try placeholders(check.contains!, field + ".contains", c)
        }
        return check
    }

    func layerShared(_ node: Node, _ field: String) throws -> LayerSharedCheck {
        let m = try mapping(node, field, allowed: ["images", "layers"])
        guard let i = m["images"] else { throw problem(field + ".images", node, "is missing") }
        let images = try sequence(i, field + ".images").enumerated().map { try imageRef($1, "\(field).images[\($0)]") }
        let layers = try m["layers"].map { try int($0, field + ".layers") }
        if let layers, layers < 1 { throw problem(field + ".layers", m["layers"], "must be at least 1") }
        return LayerSharedCheck(images: images, layers: layers)
    }

    func output(_ node: Node, _ field: String) throws -> OutputCheck {
        if node.scalar != nil {
            let t = try string(node, field)
            try placeholders(t, field, node)
            return OutputCheck(.text(t))
        }
        let m = try mapping(node, field, allowed: ["text", "regex"])
        switch (m["text"], m["regex"]) {
        case (let t?, nil):
            let text = try string(t, field + ".text")
            try placeholders(text, field + ".text", t)
            return OutputCheck(.text(text))
        case (nil, let r?):
            let pattern = try string(r, field + ".regex")
            try regex(pattern, field + ".regex", r)
            return OutputCheck(.regex(pattern))
        default:
            throw problem(field, node, "give either text or regex")
        }
    }
}
