using DockPS.Engine.Host;

namespace DockPS.Engine.Tests.Host;

public class HostFactsTests
{
    private static string MountInfo(params (string Point, string Type)[] mounts) => string.Join("\n",
        mounts.Select((m, i) => $"{30 + i} 1 0:{i} / {m.Point} rw,nosuid shared:{i} - {m.Type} {m.Type} rw"));

    [Fact]
    public void DetectsUnifiedCgroups()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["mountinfo"], MountInfo(("/sys/fs/cgroup", "cgroup2")));
        Assert.Equal(new CgroupLayout("2", false, "cgroupfs"), CgroupLayout.Probe("/sys/fs/cgroup", dir["mountinfo"]));
    }

    [Fact]
    public void DetectsHybridCgroups()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["mountinfo"], MountInfo(("/sys/fs/cgroup", "tmpfs"), ("/sys/fs/cgroup/unified", "cgroup2"), ("/sys/fs/cgroup/memory", "cgroup")));
        Assert.Equal(new CgroupLayout("1", true, "cgroupfs"), CgroupLayout.Probe("/sys/fs/cgroup", dir["mountinfo"]));
    }

    [Fact]
    public void DetectsLegacyCgroups()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir["mountinfo"], MountInfo(("/sys/fs/cgroup", "tmpfs"), ("/sys/fs/cgroup/memory", "cgroup")));
        Assert.Equal(new CgroupLayout("1", false, "cgroupfs"), CgroupLayout.Probe("/sys/fs/cgroup", dir["mountinfo"]));
    }

    [Fact]
    public void ReadsOsKernelAndMemoryFromTheirFiles()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir["proc/sys/kernel"]);
        Directory.CreateDirectory(dir["proc/self"]);
        Directory.CreateDirectory(dir["etc"]);
        File.WriteAllText(dir["proc/sys/kernel/osrelease"], "6.1.0-test\n");
        File.WriteAllText(dir["proc/meminfo"], "MemTotal:        2048 kB\nMemFree: 1 kB\n");
        File.WriteAllText(dir["proc/filesystems"], "nodev\tsysfs\nnodev\toverlay\n");
        File.WriteAllText(dir["proc/self/mountinfo"], MountInfo(("/sys/fs/cgroup", "cgroup2")));
        File.WriteAllText(dir["etc/os-release"], "NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_ID=\"12\"\n");
        var facts = HostFacts.Probe(dir["proc"], dir["etc"], "/sys");
        Assert.Equal("6.1.0-test", facts.KernelVersion);
        Assert.Equal("Debian GNU/Linux 12 (bookworm)", facts.OperatingSystem);
        Assert.Equal("12", facts.OSVersion);
        Assert.Equal(2048L * 1024, facts.MemoryBytes);
        Assert.True(facts.OverlaySupported);
        Assert.Equal("2", facts.Cgroups.Version);
    }

    [Fact]
    public void ProbesThisMachine()
    {
        var facts = HostFacts.Probe();
        Assert.False(string.IsNullOrEmpty(facts.KernelVersion));
        Assert.True(facts.CpuCount > 0);
        Assert.True(facts.MemoryBytes > 0);
        Assert.Equal(Environment.ProcessorCount, facts.CpuCount);
    }
}
