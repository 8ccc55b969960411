using System.Diagnostics;

namespace DockPS.Engine.Tests.Runtime;

/// <summary>The shim tests run one at a time: each starts real containers, and the machine is shared.</summary>
[CollectionDefinition(Name)]
public sealed class ShimCollection : ICollectionFixture<ShimFixture>
{
    public const string Name = "shim";
}

/// <summary>
/// What every shim test needs once: the dockps-shim binary and a busybox root filesystem.
/// The binary is <c>$DOCKPS_SHIM</c> when set (build.ps1's test task points it at the shipped
/// one); otherwise it is compiled here from src/dockps-shim with build.ps1's flags, so a test run
/// never exercises a stale binary left in out/.
/// </summary>
public sealed class ShimFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dockps-shimfix-").FullName;

    public ShimFixture()
    {
        try
        {
            ShimPath = Environment.GetEnvironmentVariable("DOCKPS_SHIM") is { Length: > 0 } path ? path : Compile();
            RootFs = BuildRootFs(Path.Combine(_dir, "rootfs"));
        }
        catch
        {
            Directory.Delete(_dir, recursive: true);
            throw;
        }
    }

    /// <summary>The dockps-shim binary under test.</summary>
    public string ShimPath { get; }

    /// <summary>A read-only-shared root: busybox and its applet links, and the mount points.</summary>
    public string RootFs { get; }

    /// <summary>The runtimes every test runs against.</summary>
    public static TheoryData<string> Runtimes => new() { "crun", "runc" };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The full path of an OCI runtime; a missing one fails the test (never skips it).</summary>
    public static string RuntimePath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate)) { return candidate; }
        }
        throw new InvalidOperationException($"{name} is not installed (apt-get install {name})");
    }

    /// <summary>Runs a program to its end, giving its exit code and combined output.</summary>
    public static (int Code, string Output) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) { info.ArgumentList.Add(arg); }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    private string Compile()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "DockPS.sln")))
        {
            root = Path.GetDirectoryName(root.TrimEnd('/')) ?? throw new InvalidOperationException("repository root not found above the test binaries");
        }
        var output = Path.Combine(_dir, "dockps-shim");
        var sources = Directory.GetFiles(Path.Combine(root, "src/dockps-shim"), "*.c").Order(StringComparer.Ordinal);
        var (code, text) = Run("gcc", ["-O2", "-Wall", "-Wextra", "-Werror", "-static", "-o", output, .. sources]);
        if (code != 0) { throw new InvalidOperationException($"gcc failed:\n{text}"); }
        return output;
    }

    private static string BuildRootFs(string rootFs)
    {
        var bin = Directory.CreateDirectory(Path.Combine(rootFs, "bin")).FullName;
        File.Copy("/usr/bin/busybox", Path.Combine(bin, "busybox"));
        var (code, applets) = Run("/usr/bin/busybox", "--list");
        if (code != 0) { throw new InvalidOperationException("busybox --list failed"); }
        foreach (var applet in applets.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // The list names busybox itself: a link there would replace the binary with a loop.
            if (applet != "busybox") { File.CreateSymbolicLink(Path.Combine(bin, applet), "busybox"); }
        }
        foreach (var dir in new[] { "proc", "dev", "sys", "data" }) { Directory.CreateDirectory(Path.Combine(rootFs, dir)); }
        return rootFs;
    }
}
