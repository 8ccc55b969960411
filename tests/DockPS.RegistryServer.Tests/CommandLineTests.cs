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
    [InlineData("serve", "--root", "/tmp/x", "--tls-cert", "/nonexistent/cert.pem", "--tls-key", "/nonexistent/key.pem")]
    [InlineData("serve", "--root", "/tmp/x", "--access", "/etc/hostname")]
    [InlineData("htpasswd", "--file", "/tmp/x")]
    public async Task Bad_command_lines_exit_1_with_a_message(params string[] args)
    {
        var (exit, _, stderr) = await RunAsync(args);
        Assert.Equal(1, exit);
        Assert.StartsWith("dockps-registry: error:", stderr);
    }

    [Fact]
    public async Task Htpasswd_adds_a_bcrypt_user_with_the_password_from_stdin()
    {
        var folder = Directory.CreateTempSubdirectory("dockps-registry-cli-").FullName;
        try
        {
            var file = Path.Combine(folder, "users");
            var (exit, _, stderr) = await RunWithInputAsync("s3cret pass\n", "htpasswd", "--file", file, "--user", "gina");
            Assert.True(exit == 0, stderr);
            Assert.True(new DockPS.Registry.Server.Auth.HtpasswdFile(file).Verify("gina", "s3cret pass"));
            Assert.DoesNotContain("s3cret", File.ReadAllText(file));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    private static async Task<(int Exit, string Stdout, string Stderr)> RunWithInputAsync(string? stdin, params string[] args)
    {
        var exe = Environment.GetEnvironmentVariable("DOCKPS_REGISTRY");
        var info = !string.IsNullOrEmpty(exe) && File.Exists(exe)
            ? new ProcessStartInfo(exe, args)
            : new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "dockps-registry.dll"), .. args]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = stdin is not null;
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
