using System.Runtime.InteropServices;

namespace DockPS.Engine.Runtime;

/// <summary>
/// What an unprivileged container gets, matching Docker's defaults so images behave the same:
/// its capability set, the /proc and /sys paths it masks or makes read-only, the device nodes a
/// container may use, and a seccomp filter.
/// </summary>
public static class SecurityDefaults
{
    /// <summary>Docker's default capability set.</summary>
    public static readonly IReadOnlyList<string> Capabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];

    /// <summary>Every capability the kernel may know, for <c>--privileged</c> and <c>--cap-add ALL</c>.</summary>
    public static readonly IReadOnlyList<string> AllCapabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Paths hidden from the container (kernel memory, keys, hardware details).</summary>
    public static readonly IReadOnlyList<string> MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
        "/sys/firmware", "/sys/devices/virtual/powercap",
    ];

    /// <summary>Paths the container may read but not change.</summary>
    public static readonly IReadOnlyList<string> ReadonlyPaths =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    /// <summary>
    /// The device cgroup: everything denied, then mknod of any node and use of the standard
    /// character devices (null, zero, full, random, urandom, tty, ptys, ptmx, tun) allowed.
    /// </summary>
    public static IReadOnlyList<OciDeviceRule> DeviceRules(bool privileged) => privileged
        ? [new OciDeviceRule { Allow = true, Access = "rwm" }]
        :
        [
            new OciDeviceRule { Allow = false, Access = "rwm" },
            new OciDeviceRule { Allow = true, Type = "c", Access = "m" },
            new OciDeviceRule { Allow = true, Type = "b", Access = "m" },
            Char(1, 3), Char(1, 5), Char(1, 7), Char(1, 8), Char(1, 9), Char(5, 0), Char(5, 1), Char(5, 2),
            new OciDeviceRule { Allow = true, Type = "c", Major = 136, Access = "rwm" },
            Char(10, 200),
        ];

    private static OciDeviceRule Char(long major, long minor) =>
        new() { Allow = true, Type = "c", Major = major, Minor = minor, Access = "rwm" };

    /// <summary>
    /// The default seccomp filter. Docker ships an allow-list; this one denies, with EPERM, the
    /// calls that list leaves out for an unprivileged container — kernel modules, keyrings, mounts
    /// and namespaces, clocks, reboot, swap, kexec, bpf, perf, handle-based opens — and lifts a
    /// group when the container holds the capability that makes it legitimate (as Docker does).
    /// clone3 answers ENOSYS so that libc falls back to clone, whose namespace flags are checked.
    /// </summary>
    public static OciSeccomp Seccomp(IReadOnlyCollection<string> capabilities)
    {
        var rules = new List<OciSyscallRule>();
        foreach (var (capability, calls) in SyscallGroups)
        {
            if (capability is null || !capabilities.Contains(capability))
            {
                rules.Add(new OciSyscallRule { Names = calls, Action = "SCMP_ACT_ERRNO", ErrnoRet = 1 });
            }
        }
        if (!capabilities.Contains("CAP_SYS_ADMIN"))
        {
            rules.Add(new OciSyscallRule { Names = ["clone3"], Action = "SCMP_ACT_ERRNO", ErrnoRet = 38 });
            // One rule per flag: rules for one call are OR'ed, the arguments of one rule AND'ed.
            foreach (var flag in NamespaceCloneFlags)
            {
                rules.Add(new OciSyscallRule
                {
                    Names = ["clone"],
                    Action = "SCMP_ACT_ERRNO",
                    ErrnoRet = 1,
                    Args = [new OciSyscallArg { Index = 0, Value = flag, ValueTwo = flag, Op = "SCMP_CMP_MASKED_EQ" }],
                });
            }
        }
        return new OciSeccomp { DefaultAction = "SCMP_ACT_ALLOW", Architectures = Architectures(), Syscalls = rules };
    }

    // CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
    private static readonly ulong[] NamespaceCloneFlags = [0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

    // A deny-by-default-allow filter must name every ABI the kernel accepts, or a 32-bit call
    // would slip past it.
    private static IReadOnlyList<string> Architectures() => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        Architecture.Arm64 => ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
        _ => [],
    };

    // (capability that lifts the group, or null when nothing does; system calls).
    private static readonly (string? Capability, IReadOnlyList<string> Calls)[] SyscallGroups =
    [
        ("CAP_SYS_ADMIN", ["mount", "umount", "umount2", "pivot_root", "unshare", "setns", "fsopen", "fsconfig",
            "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "quotactl", "quotactl_fd",
            "lookup_dcookie", "bpf", "perf_event_open", "fanotify_init", "name_to_handle_at", "syslog"]),
        ("CAP_DAC_READ_SEARCH", ["open_by_handle_at"]),
        ("CAP_SYS_MODULE", ["init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms"]),
        ("CAP_SYS_BOOT", ["reboot", "kexec_load", "kexec_file_load"]),
        ("CAP_SYS_TIME", ["settimeofday", "stime", "clock_settime", "clock_adjtime"]),
        ("CAP_SYS_PACCT", ["acct"]),
        ("CAP_SYS_RAWIO", ["iopl", "ioperm"]),
        ("CAP_SYS_NICE", ["get_mempolicy", "set_mempolicy", "mbind", "move_pages", "set_mempolicy_home_node"]),
        ("CAP_SYS_PTRACE", ["kcmp", "process_madvise"]),
        (null, ["add_key", "request_key", "keyctl", "swapon", "swapoff", "uselib", "userfaultfd", "ustat",
            "sysfs", "_sysctl", "nfsservctl", "vm86", "vm86old"]),
    ];
}
