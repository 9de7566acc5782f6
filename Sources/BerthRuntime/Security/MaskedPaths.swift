/// The paths Docker hides or freezes in every unprivileged container (moby's
/// `oci.DefaultSpec`): kernel memory, keys and timers stay out of sight, and /proc's knobs
/// that reach the whole host cannot be written.
enum MaskedPaths {
    static let masked = [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ]
    static let readOnly = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
}
