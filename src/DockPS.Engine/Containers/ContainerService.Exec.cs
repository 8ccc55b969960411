using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DockPS.Engine.Containers.Logs;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Containers;

/// <summary>An extra process to run in a running container (<c>docker exec</c>).</summary>
public sealed record ExecConfig
{
    /// <summary>The command and its arguments.</summary>
    public required IReadOnlyList<string> Cmd { get; init; }
    /// <summary><c>KEY=value</c> entries added over the container's environment.</summary>
    public IReadOnlyList<string>? Env { get; init; }
    /// <summary>User, as the container's <c>User</c>; the container's when empty.</summary>
    public string? User { get; init; }
    /// <summary>Working directory; the container's when empty.</summary>
    public string? WorkingDir { get; init; }
    /// <summary>Allocate a terminal.</summary>
    public bool Tty { get; init; }
    /// <summary>Take stdin from the client.</summary>
    public bool AttachStdin { get; init; }
    /// <summary>Send stdout to the client.</summary>
    public bool AttachStdout { get; init; }
    /// <summary>Send stderr to the client.</summary>
    public bool AttachStderr { get; init; }
    /// <summary>Every capability.</summary>
    public bool Privileged { get; init; }
}

/// <summary>An exec process and what became of it.</summary>
public sealed record ExecRecord
{
    /// <summary>64 hex digits.</summary>
    public required string Id { get; init; }
    /// <summary>The container it runs in.</summary>
    public required string ContainerId { get; init; }
    /// <summary>What was asked for.</summary>
    public required ExecConfig Config { get; init; }
    /// <summary>Whether it runs now.</summary>
    public bool Running { get; init; }
    /// <summary>Whether it was started (an exec runs once).</summary>
    public bool Started { get; init; }
    /// <summary>Its exit code once it ended.</summary>
    public int? ExitCode { get; init; }
    /// <summary>Its host PID while it runs.</summary>
    public int Pid { get; init; }
}

// Exec: processes started in a running container through their own monitor, so they too keep
// their streams and exit code when the daemon restarts. Records live in memory, as Docker's do.
public sealed partial class ContainerService
{
    private readonly ConcurrentDictionary<string, ExecRecord> _execs = new(StringComparer.Ordinal);

    /// <summary>Registers an exec in a running container.</summary>
    /// <exception cref="ContainerConflictException">The container is not running.</exception>
    public ExecRecord CreateExec(string containerIdOrName, ExecConfig config)
    {
        var container = _store.Find(containerIdOrName);
        if (!container.State.Running) { throw new ContainerConflictException($"Container {container.Id} is not running"); }
        if (config.Cmd.Count == 0 || config.Cmd[0].Length == 0) { throw new ArgumentException("No exec command specified"); }
        if (!string.IsNullOrEmpty(config.WorkingDir) && !config.WorkingDir.StartsWith('/'))
        {
            throw new ArgumentException($"the working directory '{config.WorkingDir}' is invalid, it needs to be an absolute path");
        }
        var exec = new ExecRecord { Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), ContainerId = container.Id, Config = config };
        _execs[exec.Id] = exec;
        Publish(container, "exec_create: " + string.Join(' ', config.Cmd), new Dictionary<string, string> { ["execID"] = exec.Id });
        return exec;
    }

    private void ForgetExecs(string containerId)
    {
        foreach (var exec in _execs.Values.Where(e => e.ContainerId == containerId)) { _execs.TryRemove(exec.Id, out _); }
    }

    /// <summary>An exec by ID.</summary>
    /// <exception cref="KeyNotFoundException">No such exec.</exception>
    public ExecRecord FindExec(string execId) =>
        _execs.TryGetValue(execId, out var exec) ? exec : throw new KeyNotFoundException($"No such exec instance: {execId}");

    /// <summary>
    /// Runs the exec. Attached, it streams until the process ends; detached (<paramref name="output"/>
    /// null), it returns once the process runs. A process the runtime cannot start ends with Docker's
    /// 126/127 and the runtime's message written to the client.
    /// </summary>
    /// <exception cref="ContainerConflictException">Started already, or the container stopped.</exception>
    public async Task StartExecAsync(string execId, Stream? input, Stream? output, CancellationToken cancellationToken)
    {
        var exec = FindExec(execId);
        lock (_execs)
        {
            exec = FindExec(execId);
            if (exec.Started) { throw new ContainerConflictException($"Error: Exec command {execId} has already run"); }
            exec = exec with { Started = true };
            _execs[execId] = exec;
        }
        var container = _store.Get(exec.ContainerId) ?? throw new ContainerNotFoundException(exec.ContainerId);
        if (!container.State.Running) { throw new ContainerConflictException($"Container {container.Id} is not running"); }
        var config = exec.Config;
        var stateDir = _platform.Runtime.ExecDir(exec.Id);
        var (runtimeName, runtimePath) = _runtimes().Resolve(container.Runtime);
        var rootfs = _files.RootfsOf(container.Id);
        var user = ProcessUser.Resolve(rootfs, string.IsNullOrEmpty(config.User) ? container.User : config.User, container.Config.Host.GroupAdd);
        var env = ProcessDefaults.MergeEnv(container.Env, config.Env ?? []);
        var process = BundleSpec.Process(config.Tty, config.Cmd, RuntimeEnv(container with { Env = env, Config = container.Config with { Tty = config.Tty } }, user),
            string.IsNullOrEmpty(config.WorkingDir) ? container.WorkingDir : config.WorkingDir, user,
            config.Privileged ? SecurityDefaults.AllCapabilities : BundleSpec.Capabilities(container.Config.Host),
            BundleSpec.NoNewPrivileges(container.Config.Host), container.Config.Host.Ulimits);
        Directory.CreateDirectory(stateDir);
        var processFile = Path.Combine(stateDir, "process.json");
        await File.WriteAllBytesAsync(processFile, JsonSerializer.SerializeToUtf8Bytes(process, OciJsonContext.Default.OciProcess), cancellationToken);
        try
        {
            var started = await new ShimLauncher(_platform.ShimPath).LaunchAsync(new ShimOptions
            {
                RuntimePath = runtimePath,
                SealedRuntime = RuntimeCatalog.WantsSealedCopy(runtimePath),
                RuntimeArgs = RuntimeArgs(runtimeName, stateDir),
                Id = container.Id,
                BundleDirectory = _platform.Runtime.ContainerDir(container.Id),
                StateDirectory = stateDir,
                Tty = config.Tty,
                Stdin = config.AttachStdin,
                StdinOnce = true,
                ExecProcessPath = processFile,
            }, cancellationToken);
            var connection = started.Connect();
            Task? pump = null;
            if (output is not null)
            {
                var withStdin = config.AttachStdin && input is not null;
                var shim = await connection.AttachAsync(withStdin, config.AttachStdout, config.AttachStderr, cancellationToken);
                pump = PumpAsync(shim, withStdin ? input : null, output, config.Tty, cancellationToken);
            }
            int pid;
            try { pid = await connection.StartAsync(cancellationToken); }
            catch (RuntimeFailedException e)
            {
                var code = ExitCodeFor(e.Message);
                _execs[execId] = exec with { ExitCode = code };
                if (output is not null) { await WriteErrorAsync(output, config.Tty, StartFailure(config.Cmd[0], e.Message, code), cancellationToken); }
                DeleteExecState(stateDir);
                return;
            }
            _execs[execId] = exec with { Running = true, Pid = pid };
            Publish(container, "exec_start: " + string.Join(' ', config.Cmd), new Dictionary<string, string> { ["execID"] = exec.Id });
            var finished = WatchExecAsync(execId, stateDir, container);
            if (pump is not null)
            {
                await pump;
                await finished;
            }
        }
        catch
        {
            _execs[execId] = FindExec(execId) with { Running = false, ExitCode = FindExec(execId).ExitCode ?? 126 };
            DeleteExecState(stateDir);
            throw;
        }
    }

    private async Task WatchExecAsync(string execId, string stateDir, ContainerRecord container)
    {
        ShimExit exit;
        try { exit = await new ShimConnection(stateDir).WaitForShimExitAsync(CancellationToken.None); }
        catch (ShimUnavailableException) { exit = LostMonitor; }
        _execs[execId] = FindExec(execId) with { Running = false, Pid = 0, ExitCode = exit.ExitCode };
        DeleteExecState(stateDir);
        Publish(container, "exec_die", new Dictionary<string, string>
        {
            ["execID"] = execId,
            ["exitCode"] = exit.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    private static void DeleteExecState(string stateDir)
    {
        try { if (Directory.Exists(stateDir)) { Directory.Delete(stateDir, recursive: true); } } catch (IOException) { }
    }

    private static async Task WriteErrorAsync(Stream output, bool tty, string message, CancellationToken cancellationToken)
    {
        var text = Encoding.UTF8.GetBytes("OCI runtime exec failed: " + message + "\r\n");
        if (tty) { await output.WriteAsync(text, cancellationToken); }
        else { await StdStreamFrame.WriteAsync(output, StdStreamType.Stderr, text, cancellationToken); }
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>Sets the terminal size of a running exec, waiting for one that is still starting.</summary>
    public async Task ResizeExecAsync(string execId, int height, int width, CancellationToken cancellationToken)
    {
        // As Docker: a resize that arrives while the exec is still starting waits for it (10 s at
        // most), so a client can size the terminal right after its start request.
        var exec = FindExec(execId);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!exec.Running && exec.ExitCode is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, cancellationToken);
            exec = FindExec(execId);
        }
        if (!exec.Running) { throw new ContainerConflictException($"exec {execId} is not running"); }
        await new ShimConnection(_platform.Runtime.ExecDir(exec.Id)).ResizeAsync(height, width, cancellationToken);
    }
}
