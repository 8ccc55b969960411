using System.Diagnostics;

namespace DockPS.RegistryServer.Tests;

/// <summary>The dockps-registry command line, run as a process: the shipped exe when the build names it, else the built assembly.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public async Task Serve_refuses_a_non_loopback_address_without_tls()
    {
        var root = Directory.CreateTempSubdirectory("dockps-registry-cli-").FullName;
        try
        {
            var (exit, _, stderr) = await RunAsync("serve", "--listen", "0.0.0.0:5000", "--root", root);
            Assert.Equal(1, exit);
            Assert.Contains("loopback", stderr);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task Gc_collects_an_empty_store_and_reports_what_it_did()
    {
        var root = Directory.CreateTempSubdirectory("dockps-registry-cli-").FullName;
        try
        {
            var (exit, stdout, _) = await RunAsync("gc", "--root", root, "--grace", "0s");
            Assert.Equal(0, exit);
            Assert.StartsWith("kept 0 blobs, deleted 0", stdout);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("gc", "--root")]
    [InlineData("gc", "--root", "/tmp/x", "--grace", "soon")]
    [InlineData("push")]
    public async Task Bad_command_lines_exit_1_with_a_message(params string[] args)
    {
        var (exit, _, stderr) = await RunAsync(args);
        Assert.Equal(1, exit);
        Assert.StartsWith("dockps-registry: error:", stderr);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var exe = Environment.GetEnvironmentVariable("DOCKPS_REGISTRY");
        var info = !string.IsNullOrEmpty(exe) && File.Exists(exe)
            ? new ProcessStartInfo(exe, args)
            : new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "dockps-registry.dll"), .. args]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
