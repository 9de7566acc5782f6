#if canImport(Glibc)
import Glibc
#endif
import BerthCore
import BerthImages
import BerthRuntime
import Foundation

extension BuildRun {
    /// RUN: a real container from the current image (default bridge network, so package
    /// managers reach their mirrors), output streamed, its changes committed as one layer,
    /// then removed. A failing command, a failed start or a signal removes the container
    /// and leaves no image behind.
    mutating func runStep(_ i: Instruction) throws {
        let cmd = i.json ?? state.shell + [i.arguments]
        let args = state.runArgs
        // Docker records the build args a RUN saw in front of its command (`|1 K=V /bin/sh -c …`),
        // so changing one invalidates the cache.
        let saveCmd = args.isEmpty ? cmd : ["|\(args.count)"] + args + cmd
        var probe = state.config
        probe.cmd = saveCmd
        probe.entrypoint = nil
        if let hit = cached(probe) {
            state.image = hit
            return
        }
        guard let image = state.image else {
            throw BerthError(message: "The command '\(cmd.joined(separator: " "))' returned a non-zero code: 127", exitCode: 127)
        }
        var spec = ContainerSpec(image: image.id.string)
        spec.command = cmd
        spec.entrypoint = ""
        spec.env = args
        let runtime = builder.runtime
        let record = try runtime.create(spec, image: image)
        let id = record.id.rawValue
        var removed = false
        defer { if !removed { _ = try? runtime.remove(id, force: true, volumes: true) } }
        builder.say(" ---> Running in \(record.id.short)")

        let started = try runtime.start(id, attach: true)
        var code: Int32?
        if let connection = started.attach {
            code = try relay(connection, containerID: id)
        }
        let recorded = try runtime.waitForMonitor(started)
        let status = code ?? recorded
        if status != 0 {
            throw BerthError.buildStepFailed(cmd.joined(separator: " "), code: status)
        }
        if let s = signals.pending() { throw BerthError.buildCanceled(signal: s) }
        let layer = try builder.images.containerLayer(containerID: id)
        let committed = try builder.images.commitBuildStep(
            base: image, changes: layer.upperDir, config: state.config, containerConfig: probe, containerID: id,
            createdBy: saveCmd.joined(separator: " "), author: state.author)
        builder.say("Removing intermediate container \(record.id.short)")
        try runtime.remove(id, force: true, volumes: true)
        removed = true
        state.image = committed
        builder.say(" ---> \(committed.id.short)")
    }

    /// Copies the container's output to ours until it exits; on SIGINT/SIGTERM kills it and
    /// throws (the caller's cleanup removes it). Returns the exit code the monitor sent.
    func relay(_ connection: AttachConnection, containerID: String) throws -> Int32? {
        let console = builder.console
        while true {
            var fds = [
                pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: signals.readFD, events: Int16(POLLIN), revents: 0),
            ]
            let r = poll(&fds, 2, -1)
            if r < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if fds[1].revents != 0, let s = signals.pending() {
                _ = try? builder.runtime.kill(containerID, signal: SIGKILL)
                throw BerthError.buildCanceled(signal: s)
            }
            if fds[0].revents != 0 {
                guard let frames = connection.readFrames() else { return nil }
                for f in frames {
                    switch f {
                    case .stdout(var b): if !builder.options.quiet { writeAll(console.outFD, &b) }
                    case .stderr(var b): if !builder.options.quiet { writeAll(console.errFD, &b) }
                    case .exit(let c): return c
                    }
                }
            }
        }
    }
}
