import ArgumentParser
import BerthCore
import Foundation
import BerthRuntime

/// The flags `run` and `create` share, spelled as Docker spells them.
struct ContainerOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Keep STDIN open even if not attached") var interactive = false
    @Flag(name: .shortAndLong, help: "Allocate a pseudo-TTY") var tty = false
    @Option(name: .long, help: "Assign a name to the container") var name: String?
    @Option(name: [.short, .customLong("env")], help: "Set environment variables") var env: [String] = []
    @Option(name: [.short, .customLong("workdir")], help: "Working directory inside the container") var workdir: String?
    @Option(name: .shortAndLong, help: "Username or UID (format: <name|uid>[:<group|gid>])") var user: String?
    @Option(name: [.customShort("h"), .customLong("hostname")], help: "Container host name") var hostname: String?
    @Option(name: .long, help: "Overwrite the default ENTRYPOINT of the image") var entrypoint: String?
    @Option(name: [.short, .customLong("volume")], help: "Bind mount a volume (HOST:CTR, NAME:CTR or CTR for an anonymous volume)") var volume: [String] = []
    @Option(name: [.short, .customLong("label")], help: "Set meta data on a container") var label: [String] = []
    @Option(name: .long, help: "Connect a container to a network (none, bridge, host)") var network: String?
    @Option(name: [.short, .customLong("publish")], help: "Publish a container's port(s) to the host") var publish: [String] = []
    @Flag(name: [.customShort("P"), .customLong("publish-all")], help: "Publish all exposed ports to random ports") var publishAll = false
    @Flag(name: .customLong("rm"), help: "Automatically remove the container when it exits") var autoRemove = false
    @OptionGroup var security: SecurityOptionGroup

    /// `-v ./data:/data`: docker/cli (23+) makes a host path that starts with "." absolute,
    /// from the CLI's working directory; anything else without a slash is a volume name.
    func absoluteBind(_ spec: String) -> String {
        guard spec.hasPrefix("."), let colon = spec.firstIndex(of: ":") else { return spec }
        let host = URL(fileURLWithPath: String(spec[..<colon])).standardizedFileURL.path
        return host + spec[colon...]
    }

    /// Throws what Docker's client refuses before it asks the daemon (a missing profile FILE).
    func spec(image: String, command: [String]) throws -> ContainerSpec {
        var s = ContainerSpec(image: image)
        s.name = name.map(NameResolver.bare)
        s.command = command
        s.entrypoint = entrypoint
        s.env = env
        s.workdir = workdir
        s.user = user
        s.hostname = hostname
        s.tty = tty
        s.interactive = interactive
        s.autoRemove = autoRemove
        s.binds = volume.map(absoluteBind)
        try security.apply(to: &s)
        s.publish = publish
        s.publishAll = publishAll
        s.network = network
        for l in label {
            let kv = l.split(separator: "=", maxSplits: 1)
            s.labels[String(kv[0])] = kv.count > 1 ? String(kv[1]) : ""
        }
        return s
    }
}
