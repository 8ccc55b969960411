using DockPS.Engine.Runtime;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>
/// The compiled-filter cache's rules. That crun really takes the program, and a container it runs
/// is confined by it, is judged in the Pester suite (ContainersDockerCli: isolation).
/// </summary>
public sealed class SeccompCacheTests
{
    private const string Crun = "/usr/bin/crun";

    private static OciSpec Spec(OciSeccomp? seccomp) => new()
    {
        Process = new OciProcess { User = new OciUser(), Args = ["true"], Env = [], Cwd = "/" },
        Root = new OciRoot("/rootfs", false),
        Linux = new OciLinux { Namespaces = [new OciNamespace("pid")], Seccomp = seccomp },
    };

    private static OciSeccomp Profile(params string[] capabilities) => SecurityDefaults.Seccomp(capabilities);

    private static void WriteProgram(TempDir dir, byte[] program) => File.WriteAllBytes(dir["seccomp.bpf"], program);

    [Fact]
    public void TheFirstRunOfAProfileCompilesItAndTheNextTakesTheProgram()
    {
        using var state = new TempDir();
        var cache = new SeccompCache();
        var spec = Spec(Profile("CAP_CHOWN"));

        var (first, key) = cache.Apply(spec, Crun);
        Assert.Null(first.Annotations);
        Assert.NotNull(key);

        var program = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        WriteProgram(state, program);
        cache.Learn(key!, state.Path);

        var (second, again) = cache.Apply(spec, Crun);
        Assert.Null(again); // nothing left to learn
        Assert.Equal(Convert.ToBase64String(program), second.Annotations![SeccompCache.Annotation]);
        Assert.Same(spec.Linux.Seccomp, second.Linux.Seccomp); // the profile stays in the bundle for its readers
    }

    [Fact]
    public void AnotherProfileIsAnotherProgram()
    {
        using var state = new TempDir();
        var cache = new SeccompCache();
        var (_, key) = cache.Apply(Spec(Profile("CAP_CHOWN")), Crun);
        WriteProgram(state, new byte[16]);
        cache.Learn(key!, state.Path);

        // CAP_SYS_ADMIN opens more system calls: a different profile, not yet compiled.
        var (other, otherKey) = cache.Apply(Spec(Profile("CAP_CHOWN", "CAP_SYS_ADMIN")), Crun);
        Assert.Null(other.Annotations);
        Assert.NotNull(otherKey);
        Assert.NotEqual(key, otherKey);
    }

    [Fact]
    public void RuncAndUnconfinedContainersAreLeftAlone()
    {
        var cache = new SeccompCache();
        var runc = Spec(Profile("CAP_CHOWN"));
        Assert.Equal((runc, (string?)null), cache.Apply(runc, "/usr/sbin/runc"));
        var unconfined = Spec(null);
        Assert.Equal((unconfined, (string?)null), cache.Apply(unconfined, Crun));
    }

    [Theory]
    [InlineData(-1)] // no file: the runtime keeps none, or its delete came first
    [InlineData(0)]
    [InlineData(13)] // not whole instructions
    [InlineData(4097 * 8)] // more than the kernel takes
    public void WhatIsNotAProgramIsNotLearnt(int length)
    {
        using var state = new TempDir();
        var cache = new SeccompCache();
        var spec = Spec(Profile("CAP_CHOWN"));
        var (_, key) = cache.Apply(spec, Crun);
        if (length >= 0) { WriteProgram(state, new byte[length]); }
        cache.Learn(key!, state.Path);
        var (next, stillToLearn) = cache.Apply(spec, Crun);
        Assert.Null(next.Annotations);
        Assert.Equal(key, stillToLearn);
    }
}
