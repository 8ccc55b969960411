using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DockPS.Registry.Tests.Infrastructure;

/// <summary>
/// Debian's reference registry (<c>/usr/bin/docker-registry</c>, distribution 2.8) on 127.0.0.1 with
/// a free port, a temporary storage directory and a generated config.yml. Disposing stops it by
/// its PID and removes the directory.
/// </summary>
public sealed class RegistryProcess : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private RegistryProcess(Process process, string root, int port)
    {
        _process = process;
        Root = root;
        Port = port;
    }

    /// <summary>The scratch directory (config, storage, auth files).</summary>
    public string Root { get; }

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, the registry name a client is created with.</summary>
    public string Host => $"127.0.0.1:{Port}";

    public string Log { get { lock (_log) { return _log.ToString(); } } }

    /// <summary>
    /// Starts a registry. <paramref name="authYaml"/>, given the scratch root (where it may write
    /// files such as an htpasswd), returns the <c>auth:</c> section's body indented two spaces.
    /// </summary>
    public static RegistryProcess Start(Func<string, string?>? authYaml = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: apt-get install -y docker-registry apache2-utils");
        }
        var root = Directory.CreateTempSubdirectory("dockps-registry-").FullName;
        // Another process can take the port between our probe and the registry's bind: retry.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var auth = authYaml?.Invoke(root);
            var config = $"""
                version: 0.1
                log:
                  level: warn
                  accesslog:
                    disabled: true
                storage:
                  filesystem:
                    rootdirectory: {root}/storage
                  delete:
                    enabled: true
                  maintenance:
                    uploadpurging:
                      enabled: false
                http:
                  addr: 127.0.0.1:{port}
                  secret: dockps-test-secret
                {(auth is null ? "" : "auth:\n" + auth)}
                """;
            var configPath = Path.Combine(root, "config.yml");
            File.WriteAllText(configPath, config);
            var info = new ProcessStartInfo(Binary, ["serve", configPath])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = Process.Start(info)!;
            var registry = new RegistryProcess(process, root, port);
            process.OutputDataReceived += (_, e) => registry.Append(e.Data);
            process.ErrorDataReceived += (_, e) => registry.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (registry.WaitUntilServing(TimeSpan.FromSeconds(15))) { return registry; }
            registry.Stop();
            if (attempt == 3)
            {
                Directory.Delete(root, recursive: true);
                throw new InvalidOperationException($"docker-registry did not start:\n{registry.Log}");
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null) { return; }
        lock (_log) { _log.AppendLine(line); }
    }

    private bool WaitUntilServing(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        return false;
    }

    private void Stop()
    {
        // By PID: the Process object holds exactly the registry this fixture started.
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* a file still closing; the temp dir is cleaned by the OS eventually */ }
    }
}
