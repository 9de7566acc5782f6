import ArgumentParser
import BerthRuntime

/// `--memory 32m`, `--shm-size 1g`: Docker's sizes in bytes; `-1` means unlimited.
struct ByteSizeArgument: ExpressibleByArgument {
    var bytes: Int64
    init?(argument: String) {
        if argument == "-1" {
            bytes = -1
            return
        }
        guard let b = ByteSize.parse(argument) else { return nil }
        bytes = b
    }
}

/// `--cpus 1.5`: CPUs as a decimal, stored as Docker's NanoCpus.
struct CPUsArgument: ExpressibleByArgument {
    var nanoCpus: Int64
    init?(argument: String) {
        guard let v = Double(argument), v >= 0 else { return nil }
        nanoCpus = Int64((v * 1e9).rounded())
    }
}

/// The security and resource flags of `run` and `create`, spelled as Docker spells them.
struct SecurityOptionGroup: ParsableArguments {
    @Option(name: .customLong("cap-add"), help: "Add Linux capabilities") var capAdd: [String] = []
    @Option(name: .customLong("cap-drop"), help: "Drop Linux capabilities") var capDrop: [String] = []
    @Flag(name: .long, help: "Give extended privileges to this container") var privileged = false
    @Option(name: .customLong("security-opt"), help: "Security Options") var securityOpt: [String] = []
    @Flag(name: .customLong("read-only"), help: "Mount the container's root filesystem as read only") var readOnly = false
    @Option(name: .long, help: "Mount a tmpfs directory") var tmpfs: [String] = []
    @Option(name: .customLong("shm-size"), help: "Size of /dev/shm") var shmSize: ByteSizeArgument?
    @Option(name: [.customShort("m"), .customLong("memory")], help: "Memory limit") var memory: ByteSizeArgument?
    @Option(name: .customLong("memory-swap"), parsing: .unconditional,
            help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap") var memorySwap: ByteSizeArgument?
    @Option(name: .long, help: "Number of CPUs") var cpus: CPUsArgument?
    @Option(name: .customLong("pids-limit"), parsing: .unconditional,
            help: "Tune container pids limit (set -1 for unlimited)") var pidsLimit: Int64?

    /// Reads a `seccomp=FILE` profile here, as Docker's client does (its errors are the CLI's).
    func apply(to s: inout ContainerSpec) throws {
        s.capAdd = capAdd
        s.capDrop = capDrop
        s.privileged = privileged
        s.securityOpt = try SecurityOptions.inlining(securityOpt)
        s.readOnly = readOnly
        s.tmpfs = tmpfs
        s.shmSize = shmSize?.bytes
        s.memory = memory?.bytes
        s.memorySwap = memorySwap?.bytes
        s.nanoCpus = cpus?.nanoCpus
        s.pidsLimit = pidsLimit
    }
}
