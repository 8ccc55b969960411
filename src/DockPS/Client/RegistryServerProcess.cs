using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DockPS.Registry.Server;
using DockPS.Types;

namespace DockPS.Client;

/// <summary>How Start-Registry starts a registry.</summary>
public sealed record RegistryServerStart(IPAddress ListenAddress, int Port, string Path, string? HtpasswdPath, string? AccessPath,
    string? CertificatePath, string? KeyPath, TimeSpan Timeout);

/// <summary>
/// Starts, lists and stops the dockps-registry processes of this user. Each running registry
/// has a record (JSON, a <see cref="DockRegistryServer"/>) in a per-user folder, one file per
/// port, and a copy in its storage folder; a record counts only while its PID still runs
/// dockps-registry on that folder, so a registry that died or was killed drops out.
/// </summary>
public static class RegistryServerProcess
{
    /// <summary>The program's file name.</summary>
    public const string ProgramName = "dockps-registry";

    /// <summary>The record's file name in the storage folder.</summary>
    public const string RecordFile = "dockps-registry.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>The registry executable beside DockPS.dll.</summary>
    public static string ExecutablePath => DetachedProcess.InModuleFolder(ProgramName);

    /// <summary>The per-user folder of records: $XDG_STATE_HOME/dockps/registries, else ~/.local/state/dockps/registries.</summary>
    public static string RecordFolder
    {
        get
        {
            var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
            if (string.IsNullOrEmpty(state)) { state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state"); }
            return Path.Combine(state, "dockps", "registries");
        }
    }

    /// <summary>True when nothing holds <paramref name="port"/> on <paramref name="address"/> (a listener can bind it).</summary>
    public static bool PortIsFree(IPAddress address, int port)
    {
        try
        {
            var listener = new TcpListener(address, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return false;
        }
    }

    /// <summary>Starts a registry, waits until it accepts connections, and records it.</summary>
    /// <exception cref="RegistryStartException">It exited or never answered; the message carries its log.</exception>
    public static DockRegistryServer Start(RegistryServerStart start, CancellationToken cancellationToken)
    {
        var log = Path.Combine(start.Path, "dockps-registry.log");
        var args = new List<string> { "serve", "--root", start.Path, "--listen", new IPEndPoint(start.ListenAddress, start.Port).ToString() };
        if (start.HtpasswdPath is not null) { args.AddRange(["--htpasswd", start.HtpasswdPath]); }
        if (start.AccessPath is not null) { args.AddRange(["--access", start.AccessPath]); }
        if (start.CertificatePath is not null) { args.AddRange(["--tls-cert", start.CertificatePath, "--tls-key", start.KeyPath!]); }
        var reach = LocalAddress(start.ListenAddress);
        var (pid, startTime) = DetachedProcess.Start(ExecutablePath, args, log, () => Accepts(reach, start.Port), start.Timeout,
            message => new RegistryStartException(message), cancellationToken);
        var host = reach.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{reach}]" : reach.ToString();
        var server = new DockRegistryServer($"{host}:{start.Port}", start.Port, start.ListenAddress.ToString(), start.Path, pid,
            start.CertificatePath is not null, start.HtpasswdPath is null ? "None" : "Password", start.HtpasswdPath, log, startTime);
        var record = JsonSerializer.SerializeToUtf8Bytes(server, Json);
        Directory.CreateDirectory(RecordFolder);
        File.WriteAllBytes(RecordPath(start.Port), record);
        File.WriteAllBytes(Path.Combine(start.Path, RecordFile), record);
        return server;
    }

    /// <summary>The registries of this user that are running, by port; records of dead ones are removed.</summary>
    public static IReadOnlyList<DockRegistryServer> List()
    {
        if (!Directory.Exists(RecordFolder)) { return []; }
        var running = new List<DockRegistryServer>();
        foreach (var file in Directory.EnumerateFiles(RecordFolder, "*.json"))
        {
            DockRegistryServer? server;
            try { server = JsonSerializer.Deserialize<DockRegistryServer>(File.ReadAllBytes(file), Json); }
            catch (Exception e) when (e is JsonException or IOException) { server = null; }
            if (server is not null && IsRunning(server)) { running.Add(server); }
            else { Forget(file, server); }
        }
        return [.. running.OrderBy(s => s.Port)];
    }

    /// <summary>Stops a registry (SIGTERM, then waits) and removes its records.</summary>
    /// <returns>False when it still ran at the timeout.</returns>
    public static bool Stop(DockRegistryServer server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (!DetachedProcess.Stop(server.Pid, ProgramName, timeout, cancellationToken)) { return false; }
        Forget(RecordPath(server.Port), server);
        return true;
    }

    /// <summary>Whether the record's PID still runs dockps-registry on the record's folder (a PID can be reused).</summary>
    private static bool IsRunning(DockRegistryServer server) =>
        DetachedProcess.IsRunning(server.Pid, ProgramName)
        && DetachedProcess.CommandLine(server.Pid) is { } args
        && args.Zip(args.Skip(1)).Any(pair => pair.First == "--root" && pair.Second == server.Path);

    private static void Forget(string recordFile, DockRegistryServer? server)
    {
        File.Delete(recordFile);
        if (server is not null)
        {
            var copy = Path.Combine(server.Path, RecordFile);
            // Only its own copy: another registry may have started on the folder since.
            try
            {
                if (File.Exists(copy) && JsonSerializer.Deserialize<DockRegistryServer>(File.ReadAllBytes(copy), Json)?.Pid == server.Pid) { File.Delete(copy); }
            }
            catch (Exception e) when (e is JsonException or IOException) { }
        }
    }

    private static string RecordPath(int port) => Path.Combine(RecordFolder, $"{port}.json");

    // Where this machine reaches a listener: the address itself, or loopback for "any".
    private static IPAddress LocalAddress(IPAddress listen) =>
        listen.Equals(IPAddress.Any) ? IPAddress.Loopback : listen.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : listen;

    private static bool Accepts(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(address, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>The registry could not be started; the message says why.</summary>
public sealed class RegistryStartException(string message) : Exception(message);
