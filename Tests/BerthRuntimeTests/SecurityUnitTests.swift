import Foundation
import Testing

@testable import BerthRuntime

@Suite("capabilities, seccomp profile, security options")
struct SecurityUnitTests {
    @Test("Docker's 14 defaults are mask a80425fb")
    func defaultMask() throws {
        let caps = try Capabilities.effective(add: [], drop: [], privileged: false)
        #expect(caps.count == 14)
        #expect(Capabilities.mask(caps) == 0xa804_25fb)
        let sets = CapabilitySets(caps)
        #expect(sets.planFields == ["a80425fb", "a80425fb", "a80425fb", "0", "0"])
    }

    @Test("cap-add and cap-drop follow Docker's rules", arguments: [
        ([], ["ALL"], UInt64(0)),
        (["NET_ADMIN"], ["ALL"], UInt64(1) << 12),
        (["net_admin"], [], UInt64(0xa804_25fb) | 1 << 12),
        ([], ["CHOWN", "cap_kill"], UInt64(0xa804_25fb) & ~(1 | 1 << 5)),
    ])
    func tweak(add: [String], drop: [String], mask: UInt64) throws {
        #expect(Capabilities.mask(try Capabilities.effective(add: add, drop: drop, privileged: false)) == mask)
    }

    @Test("cap-add ALL keeps everything the kernel has but the drops; privileged has all")
    func addAll() throws {
        let all = try Capabilities.effective(add: ["ALL"], drop: ["SYS_ADMIN"], privileged: false)
        #expect(!all.contains("CAP_SYS_ADMIN") && all.contains("CAP_SYS_MODULE"))
        #expect(try Capabilities.effective(add: [], drop: [], privileged: true) == Capabilities.known)
    }

    @Test("an unknown capability is Docker's error")
    func unknownCap() {
        #expect(throws: (any Error).self) { try Capabilities.effective(add: ["FLY"], drop: [], privileged: false) }
    }

    @Test("the default profile survives a JSON round trip in Docker's format")
    func profileRoundTrip() throws {
        let json = try SeccompProfile.default.json()
        let back = try SeccompProfile.parse(json)
        #expect(back == SeccompProfile.default)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect(object?["defaultAction"] as? String == "SCMP_ACT_ERRNO")
        #expect((object?["syscalls"] as? [[String: Any]])?.first?["names"] is [String])
    }

    @Test("a profile written for Docker parses: old `name`, includes, args")
    func dockerProfile() throws {
        let text = """
            {"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],
             "syscalls":[{"name":"read","action":"SCMP_ACT_ALLOW","args":[]},
                         {"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
                         {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}
            """
        let p = try SeccompProfile.parse(Data(text.utf8))
        #expect(p.syscalls.count == 3 && p.syscalls[0].allNames == ["read"])
        let bpf = try SeccompCompiler(capabilities: []).compile(p)
        #expect(!bpf.isEmpty && bpf.count % 8 == 0)
    }

    @Test("the default profile compiles to one BPF program; CAP_SYS_ADMIN opens more")
    func compiles() throws {
        let defaults = try SeccompCompiler(capabilities: Capabilities.defaults).compile(.default)
        #expect(defaults.count % 8 == 0 && defaults.count / 8 <= 4096 && defaults.count > 100 * 8)
        let admin = try SeccompCompiler(capabilities: Capabilities.defaults + ["CAP_SYS_ADMIN"]).compile(.default)
        #expect(admin != defaults)
    }

    @Test("io_uring is not in the default profile; the program starts with runc's ENOSYS stub above its last syscall")
    func enosysStub() throws {
        let names = Set(SeccompProfile.default.syscalls.flatMap(\.allNames))
        #expect(names.isDisjoint(with: ["io_uring_setup", "io_uring_enter", "io_uring_register"]))
        #expect(names.isSuperset(of: ["cachestat", "fchmodat2", "map_shadow_stack", "futex_wake", "futex_wait", "futex_requeue"]))
        let bpf = try SeccompCompiler(capabilities: Capabilities.defaults).compile(.default)
        let k = { (i: Int) in bpf[i * 8 + 4..<i * 8 + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } }
        #expect(k(4) == 456, "futex_requeue, the profile's newest on this architecture")
        #expect(k(5) == 0x0005_0000 | 38)  // SECCOMP_RET_ERRNO | ENOSYS
        let open = SeccompProfile(defaultAction: "SCMP_ACT_ALLOW", defaultErrnoRet: nil, archMap: nil, syscalls: [.init(names: ["mount"], action: "SCMP_ACT_ERRNO")])
        #expect(SeccompCompiler(capabilities: []).enosysStub(open).isEmpty)
    }

    @Test("security options: seccomp, no-new-privileges, systempaths; unknown ones fail")
    func options() throws {
        #expect(try SecurityOptions(["no-new-privileges"]).noNewPrivileges)
        #expect(try SecurityOptions(["no-new-privileges=false"]).noNewPrivileges == false)
        if case .unconfined = try SecurityOptions(["seccomp=unconfined"]).seccomp {} else { Issue.record("not unconfined") }
        #expect(try SecurityOptions(["systempaths=unconfined"]).unmaskSystemPaths)
        #expect(throws: (any Error).self) { try SecurityOptions(["bogus"]) }
    }

    @Test("sizes in Docker's units", arguments: [
        ("32m", Int64(32 << 20)), ("1g", Int64(1 << 30)), ("512k", Int64(512 << 10)), ("100", Int64(100)),
        ("64MB", Int64(64 << 20)), ("1.5g", Int64(3 << 29)),
    ])
    func sizes(text: String, bytes: Int64) {
        #expect(ByteSize.parse(text) == bytes)
    }

    @Test("a host config written before these fields existed still loads, with defaults")
    func oldHostConfig() throws {
        let old = #"{"Binds":[],"AutoRemove":false,"NetworkMode":"default","PortBindings":{},"Privileged":false}"#
        let host = try JSONDecoder().decode(HostConfig.self, from: Data(old.utf8))
        #expect(host.memory == nil && host.pidsLimit == nil && host.capAdd == nil)
        let sec = try ContainerSecurity(host)
        #expect(sec.sets.bounding == 0xa804_25fb && sec.seccomp != nil && sec.maskedPaths.contains("/proc/kcore"))
    }

    @Test("privileged: every capability, no seccomp, nothing masked")
    func privileged() throws {
        var host = HostConfig()
        host.privileged = true
        let sec = try ContainerSecurity(host)
        #expect(sec.seccomp == nil && sec.maskedPaths.isEmpty && sec.readOnlyPaths.isEmpty)
        #expect(sec.sets.bounding == Capabilities.mask(Capabilities.known))
    }

    @Test("the v1 hierarchies a container's /sys/fs/cgroup mounts, joined controllers together, named ones left out")
    func v1Hierarchies() {
        let mountinfo = """
            30 25 0:26 / /sys/fs/cgroup/systemd rw,nosuid - cgroup cgroup rw,xattr,name=systemd
            31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
            32 25 0:28 / /sys/fs/cgroup/memory rw,nosuid shared:9 - cgroup cgroup rw,memory
            33 25 0:29 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw
            34 25 0:30 / /sys/fs/cgroup/cpuset rw,nosuid - cgroup cgroup rw,cpuset
            """
        let h = Cgroup.v1Hierarchies(mountinfo)
        #expect(h.map(\.mountPoint) == ["/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/memory"])
        #expect(h.map(\.controllers) == ["cpu,cpuacct", "memory"])
    }

    @Test("cgroup limits in kernel units")
    func limits() {
        var host = HostConfig()
        host.nanoCpus = 1_500_000_000
        host.pidsLimit = -1
        let l = CgroupLimits(host)
        #expect(l.cpuQuota == 150_000 && l.pidsLimit == nil)
    }
}
