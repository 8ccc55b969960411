using DockPS.Engine.Containers;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Tests.Containers;

/// <summary>Bind specs, users from the container's own files, paths inside a root, capabilities.</summary>
public sealed class MountAndUserTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ABindOfAHostPathKeepsItsOptions()
    {
        var mount = MountSpecs.ParseBind($"{_dir.Path}:/data:ro,rshared");
        Assert.Equal("bind", mount.Type);
        Assert.Equal(_dir.Path, mount.Source);
        Assert.Equal("/data", mount.Destination);
        Assert.False(mount.RW);
        Assert.Equal("rshared", mount.Propagation);
    }

    [Fact]
    public void ANameIsAVolumeAndAPathAloneAnAnonymousOne()
    {
        var named = MountSpecs.ParseBind("data:/var/lib/x:nocopy");
        Assert.Equal(("volume", "data", "/var/lib/x", true), (named.Type, named.Name, named.Destination, named.NoCopy));
        var anonymous = MountSpecs.ParseBind("/cache");
        Assert.Equal(("volume", null, "/cache"), (anonymous.Type, anonymous.Name, anonymous.Destination));
    }

    [Theory]
    [InlineData("../x:/data")]
    [InlineData("a/b:/data")]
    [InlineData("data:relative")]
    [InlineData("data:/")]
    [InlineData("data:/x:bogus")]
    [InlineData("data:/a/../b")]
    [InlineData("a:b:c:d")]
    public void MalformedSpecsAreRefused(string spec) => Assert.Throws<ArgumentException>(() => MountSpecs.ParseBind(spec));

    [Fact]
    public void UsersResolveFromTheContainersOwnFiles()
    {
        Directory.CreateDirectory(_dir["etc"]);
        File.WriteAllText(_dir["etc/passwd"], "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        File.WriteAllText(_dir["etc/group"], "root:x:0:\napp:x:1000:\nwheel:x:10:app\nstaff:x:50:\n");
        Assert.Equal(new ProcessUser(0, 0, [], "/root"), ProcessUser.Resolve(_dir.Path, "", null) with { AdditionalGids = [] });
        var app = ProcessUser.Resolve(_dir.Path, "app", null);
        Assert.Equal((1000u, 1000u, "/home/app"), (app.Uid, app.Gid, app.Home));
        Assert.Equal([10u], app.AdditionalGids);
        var numeric = ProcessUser.Resolve(_dir.Path, "4242:staff", ["wheel"]);
        Assert.Equal((4242u, 50u, "/"), (numeric.Uid, numeric.Gid, numeric.Home));
        Assert.Equal([10u], numeric.AdditionalGids);
        Assert.Throws<ArgumentException>(() => ProcessUser.Resolve(_dir.Path, "ghost", null));
        Assert.Throws<ArgumentException>(() => ProcessUser.Resolve(_dir.Path, "app:ghosts", null));
    }

    [Fact]
    public void ResolvingAPathNeverLeavesTheRoot()
    {
        Directory.CreateDirectory(_dir["root/etc"]);
        File.CreateSymbolicLink(_dir["root/escape"], "/");
        File.CreateSymbolicLink(_dir["root/up"], "../../../..");
        File.CreateSymbolicLink(_dir["root/etc/loop"], "loop");
        Assert.Equal(_dir["root/etc/passwd"], RootfsPath.Resolve(_dir["root"], "/escape/etc/passwd"));
        Assert.Equal(_dir["root/etc"], RootfsPath.Resolve(_dir["root"], "/up/etc"));
        Assert.Equal(_dir["root/etc/x"], RootfsPath.Resolve(_dir["root"], "/../../etc/x"));
        Assert.Throws<IOException>(() => RootfsPath.Resolve(_dir["root"], "/etc/loop"));
    }

    [Fact]
    public void CapabilitiesStartFromDockersSetAndFollowAddAndDrop()
    {
        Assert.Equal(SecurityDefaults.Capabilities, BundleSpec.Capabilities(new HostSettings()));
        var changed = BundleSpec.Capabilities(new HostSettings { CapAdd = ["sys_admin"], CapDrop = ["CAP_NET_RAW"] });
        Assert.Contains("CAP_SYS_ADMIN", changed);
        Assert.DoesNotContain("CAP_NET_RAW", changed);
        Assert.Equal(["CAP_CHOWN"], BundleSpec.Capabilities(new HostSettings { CapDrop = ["ALL"], CapAdd = ["CHOWN"] }));
        Assert.Equal(SecurityDefaults.AllCapabilities, BundleSpec.Capabilities(new HostSettings { Privileged = true }));
        Assert.Throws<ArgumentException>(() => BundleSpec.Capabilities(new HostSettings { CapAdd = ["CAP_NOPE"] }));
    }

    [Fact]
    public void TheSeccompFilterLiftsAGroupOnlyWithItsCapability()
    {
        static bool Denies(OciSeccomp filter, string call) => filter.Syscalls.Any(r => r.Names.Contains(call) && r.Args is null);
        var plain = SecurityDefaults.Seccomp(SecurityDefaults.Capabilities);
        Assert.Equal("SCMP_ACT_ALLOW", plain.DefaultAction);
        Assert.True(Denies(plain, "mount"));
        Assert.True(Denies(plain, "keyctl"));
        Assert.True(Denies(plain, "clone3"));
        Assert.Contains(plain.Syscalls, r => r.Names.Contains("clone") && r.Args is { Count: 1 });
        var admin = SecurityDefaults.Seccomp([.. SecurityDefaults.Capabilities, "CAP_SYS_ADMIN"]);
        Assert.False(Denies(admin, "mount"));
        Assert.DoesNotContain(admin.Syscalls, r => r.Names.Contains("clone"));
        Assert.True(Denies(admin, "keyctl"));
    }
}
