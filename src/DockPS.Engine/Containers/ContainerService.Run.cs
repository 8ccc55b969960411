using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using DockPS.Engine.Images;
using DockPS.Engine.Runtime;

namespace DockPS.Engine.Containers;

// Running: start under a monitor (dockps-shim), stop and kill, wait, and the bookkeeping when the
// process exits. The monitor holds the process's streams and writes its exit status, so the daemon
// may go away and come back (see Recover) without the container noticing.
public sealed partial class ContainerService
{
    private readonly ConcurrentDictionary<string, LiveContainer> _live = new(StringComparer.Ordinal);
    private readonly SeccompCache _seccomp = new();

    /// <summary>What the engine holds in memory for a container besides its record.</summary>
    private sealed class LiveContainer
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        // Completed when the current (or next) run exits; replaced as soon as it completes.
        public TaskCompletionSource<ContainerState> Exit { get; set; } = NewExit();
        // Completed with the last state when the container is removed; failed (and replaced) when an automatic removal fails.
        public TaskCompletionSource<ContainerState> Removed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        // Completed when the last run's monitor is gone (the runtime has deleted the container).
        public Task MonitorDone { get; set; } = Task.CompletedTask;
        // Attach requests made before start: connected to the monitor between create and start.
        public List<PendingAttach> PendingAttaches { get; } = [];
        public static TaskCompletionSource<ContainerState> NewExit() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>An attach waiting for the start: how to connect it, and how to end it when the start fails.</summary>
    private sealed record PendingAttach(Func<string, Task> Connect, TaskCompletionSource Done);

    private LiveContainer Live(string id) => _live.GetOrAdd(id, _ => new LiveContainer());

    // As from dockerd, a removal's waiters hear the exit code without the error of a start that
    // failed: the client has reported that error already (docker run --rm would say it twice).
    private void ForgetLive(ContainerRecord container)
    {
        if (_live.TryRemove(container.Id, out var live)) { live.Removed.TrySetResult(container.State with { Error = "" }); }
    }

    /// <summary>
    /// Starts the container: mounts its root, writes its bundle, and has its monitor create and
    /// start it. A container that runs already is left alone (false).
    /// </summary>
    /// <exception cref="ContainerStartException">The runtime refused (e.g. the command is not in the image); the state records why.</exception>
    public async Task<bool> StartAsync(string idOrName, CancellationToken cancellationToken)
    {
        var container = _store.Find(idOrName);
        var live = Live(container.Id);
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            container = _store.Get(container.Id) ?? throw new ContainerNotFoundException(idOrName);
            if (container.State.Running) { return false; }
            if (container.State.Status is ContainerStatus.Removing or ContainerStatus.Dead)
            {
                throw new ContainerConflictException($"cannot start container {container.ShortId}: it is being removed");
            }
            await StartLockedAsync(container, live, cancellationToken);
            return true;
        }
        finally { live.Gate.Release(); }
    }

    private async Task StartLockedAsync(ContainerRecord container, LiveContainer live, CancellationToken cancellationToken)
    {
        var image = _images.Store.Get(Digest.Parse(container.ImageId))
            ?? throw new ContainerStartException($"the image {container.Config.Image} ({container.ImageId}) of this container is gone", 0);
        var (runtimeName, runtimePath) = _runtimes().Resolve(container.Runtime);
        var stateDir = _platform.Runtime.ContainerDir(container.Id);
        // The runtime must have forgotten the last run before it is asked to create this one.
        await live.MonitorDone.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        ShimStart? started = null;
        int? pid = null;
        try
        {
            var rootfs = _files.MountRootfs(container.Id, image.Layers.Reverse().Select(l => _images.Snapshots.PathOf(l.ChainId)).ToList(),
                discardAtExit: container.Config.Host.AutoRemove);
            var user = ProcessUser.Resolve(rootfs, container.User, container.Config.Host.GroupAdd);
            await PrepareRootAsync(container, rootfs, user, cancellationToken);
            _files.WriteEtcFiles(container, NetworkModes.IsHost(container.Config.Host.NetworkMode));
            var withRuntimeEnv = container with { Env = RuntimeEnv(container, user) };
            var (spec, seccompToLearn) = _seccomp.Apply(
                BundleSpec.Build(withRuntimeEnv, new BundleSpec.Inputs(rootfs, user, _files, _platform.CgroupVersion)), runtimePath);
            _platform.Runtime.DeleteState(container.Id);
            Directory.CreateDirectory(stateDir);
            await File.WriteAllBytesAsync(Path.Combine(stateDir, "config.json"),
                JsonSerializer.SerializeToUtf8Bytes(spec, OciJsonContext.Default.OciSpec), cancellationToken);

            var log = container.Config.Host.Log;
            // Without clients to connect first, the monitor runs the container as soon as it is up.
            var startAtOnce = live.PendingAttaches.Count == 0;
            // Taken before the start: a process that ends at once must not finish before it started.
            var startedAt = DateTimeOffset.UtcNow;
            started = await new ShimLauncher(_platform.ShimPath).LaunchAsync(new ShimOptions
            {
                RuntimePath = runtimePath,
                SealedRuntime = RuntimeCatalog.WantsSealedCopy(runtimePath),
                RuntimeArgs = RuntimeArgs(runtimeName, stateDir),
                Id = container.Id,
                BundleDirectory = stateDir,
                StateDirectory = stateDir,
                Tty = container.Config.Tty,
                Stdin = container.Config.OpenStdin,
                StdinOnce = container.Config.StdinOnce,
                LogPath = LogOptions.Enabled(log) ? _files.LogPathOf(container.Id) : null,
                LogMaxSize = LogOptions.MaxSize(log),
                LogMaxFiles = LogOptions.MaxSize(log) is null ? null : LogOptions.MaxFiles(log),
                OomFile = OomFile(container.Id),
                StartAtOnce = startAtOnce,
            }, cancellationToken);

            pid = started.ContainerPid;
            if (!started.Started)
            {
                // Clients that attached before start get every byte: connect them, then start.
                foreach (var attach in live.PendingAttaches) { await attach.Connect(stateDir); }
                startedAt = DateTimeOffset.UtcNow;
                pid = await new ShimConnection(stateDir, started.ShimPid).StartAsync(cancellationToken);
                live.PendingAttaches.Clear();
            }
            // The runtime's state goes with its delete after the exit: a process that ends at
            // once may take the program with it, and then a later start learns it.
            if (seccompToLearn is not null) { _seccomp.Learn(seccompToLearn, Path.Combine(_platform.Runtime.RuntimeRoot(runtimeName), container.Id)); }

            var running = container with
            {
                State = new ContainerState
                {
                    Status = ContainerStatus.Running,
                    Pid = pid!.Value,
                    MonitorPid = started.ShimPid,
                    StartedAt = startedAt,
                    ExitCode = 0,
                },
            };
            _store.Update(running, durable: false);
            Publish(running, "start");
            _ = MonitorAsync(running.Id, stateDir, live);
        }
        catch (RuntimeFailedException e)
        {
            var code = ExitCodeFor(e.Message);
            await CleanUpFailedStartAsync(container, started, pid);
            var message = StartFailure(container.Path, e.Message, code);
            var failed = container with { State = container.State with { ExitCode = code, Error = message } };
            _store.Update(failed);
            EndFailedStartLocked(failed, live);
            throw new ContainerStartException(message, code, e);
        }
        catch
        {
            await CleanUpFailedStartAsync(container, started, pid);
            EndFailedStartLocked(container, live);
            throw;
        }
    }

    // Clients attached for a start that failed get the end of their stream (the start's caller
    // gets the error), and, as Docker, --rm holds for a run that never began too (docker run --rm
    // waits for the removal).
    private void EndFailedStartLocked(ContainerRecord container, LiveContainer live)
    {
        foreach (var attach in live.PendingAttaches) { attach.Done.TrySetResult(); }
        live.PendingAttaches.Clear();
        if (container.Config.Host.AutoRemove) { AutoRemoveLocked(container, live); }
    }

    // A container that runs (the failure came after) is killed; its monitor then deletes it from
    // the runtime (cgroups included) and exits, and only then may its folder go. A monitor whose
    // runtime run failed has gone by itself; one never asked to run anything is ended here.
    private async Task CleanUpFailedStartAsync(ContainerRecord container, ShimStart? started, int? pid)
    {
        if (started is not null && pid is > 0)
        {
            Native.Processes.Kill(pid.Value, Signals.Kill);
            try { await started.Connect().WaitForShimExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)); }
            catch (Exception e) when (e is ShimException or TimeoutException or IOException) { }
        }
        else if (started is not null && ShimProcess.IsAlive(started.ShimPid, container.Id))
        {
            Native.Processes.Kill(started.ShimPid, Signals.Kill);
        }
        ReleaseVolumes(container);
        try { _files.UnmountRootfs(container.Id); } catch (IOException) { }
        try { _platform.Runtime.DeleteState(container.Id); } catch (IOException) { }
    }

    // The volume side unmounts what a volume's options mounted when its last user lets go.
    private void ReleaseVolumes(ContainerRecord container)
    {
        foreach (var mount in container.Mounts.Where(m => m.Type == "volume" && m.Name is not null))
        {
            try { _platform.Volumes.UnmountAsync(mount.Name!, container.Id, CancellationToken.None).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is IOException or KeyNotFoundException) { }
        }
    }

    // Clients read the cause from the words Docker uses ("executable file not found in $PATH",
    // "permission denied": the docker CLI exits 127 or 126 on them), so those words lead the
    // message whatever runtime said it.
    private static string StartFailure(string command, string runtimeMessage, int code) => code switch
    {
        127 => $"exec: \"{command}\": executable file not found in $PATH: {runtimeMessage}",
        126 => $"exec: \"{command}\": permission denied: {runtimeMessage}",
        _ => $"OCI runtime create failed: {runtimeMessage}",
    };

    // Docker's exit codes for a process that could not be run: 127 not found, 126 not executable.
    private static int ExitCodeFor(string message) =>
        message.Contains("not found", StringComparison.OrdinalIgnoreCase) || message.Contains("No such file", StringComparison.Ordinal) ? 127
        : message.Contains("ermission denied", StringComparison.Ordinal) ? 126 : 128;

    private IReadOnlyList<string> RuntimeArgs(string runtimeName, string stateDir) =>
        ["--root", _platform.Runtime.RuntimeRoot(runtimeName), "--log", Path.Combine(stateDir, "runtime.log"), "--log-format", "json"];

    private string OomFile(string id) => _platform.CgroupVersion == "2"
        ? $"/sys/fs/cgroup/dockps/{id}/memory.events"
        : $"/sys/fs/cgroup/memory/dockps/{id}/memory.oom_control";

    // HOSTNAME, HOME and (with a terminal) TERM, unless the container sets them.
    private static IReadOnlyList<string> RuntimeEnv(ContainerRecord container, ProcessUser user)
    {
        var env = ProcessDefaults.WithDefault(container.Env, "HOSTNAME=" + container.Hostname);
        env = ProcessDefaults.WithDefault(env, "HOME=" + user.Home);
        return container.Config.Tty ? ProcessDefaults.WithDefault(env, "TERM=xterm") : env;
    }

    // The working directory is created when missing (owned by the process's user), and new
    // volumes are filled from the image's content at their path, as Docker does on first mount.
    private async Task PrepareRootAsync(ContainerRecord container, string rootfs, ProcessUser user, CancellationToken cancellationToken)
    {
        var workDir = RootfsPath.Resolve(rootfs, container.WorkingDir);
        if (!Directory.Exists(workDir))
        {
            Directory.CreateDirectory(workDir);
            if (user.Uid != 0 || user.Gid != 0) { File.SetUnixFileMode(workDir, (UnixFileMode)0x1ED); Native.Posix.LChown(workDir, user.Uid, user.Gid); }
        }
        foreach (var mount in container.Mounts.Where(m => m.Type == "volume" && m.Name is not null))
        {
            await _platform.Volumes.MountAsync(mount.Name!, container.Id, cancellationToken);
            var imagePath = RootfsPath.Resolve(rootfs, mount.Destination);
            if (!mount.NoCopy && Directory.Exists(imagePath)) { await _platform.Volumes.PopulateFromAsync(mount.Name!, imagePath, cancellationToken); }
        }
    }

    /// <summary>
    /// After a daemon restart: a container whose monitor still lives is followed again; one whose
    /// monitor is gone gets the exit status the monitor wrote (or 255 when there is none, e.g.
    /// after a reboot). Either way no container is left "running" without a process. A record
    /// without its folder is the rest of a removal that a crash cut short (the folder goes first,
    /// and the record's deletion is not forced to the disk): it goes too.
    /// </summary>
    public void Recover()
    {
        foreach (var removed in _store.All().Where(c => !_files.Exists(c.Id)).ToList()) { _store.Remove(removed.Id); }
        foreach (var container in _store.All().Where(c => c.State.Running))
        {
            var live = Live(container.Id);
            var stateDir = _platform.Runtime.ContainerDir(container.Id);
            if (ShimProcess.IsAlive(container.State.MonitorPid, container.Id))
            {
                foreach (var mount in container.Mounts.Where(m => m.Type == "volume" && m.Name is not null))
                {
                    _platform.Volumes.MountAsync(mount.Name!, container.Id, CancellationToken.None).GetAwaiter().GetResult();
                }
                _ = MonitorAsync(container.Id, stateDir, live);
            }
            else
            {
                var exit = ShimExit.TryReadFile(stateDir) ?? LostMonitor;
                // The monitor may have died before its runtime delete: what is left of the
                // container (processes, runtime state, cgroups) goes now.
                if (RuntimeOf(container) is { } runtime)
                {
                    RuntimeCleanup.ForceDelete(runtime.Path, ["--root", _platform.Runtime.RuntimeRoot(runtime.Name)], container.Id);
                }
                _platform.Runtime.DeleteState(container.Id);
                RecordExitAsync(container.Id, live, exit).GetAwaiter().GetResult();
            }
        }
    }

    private (string Name, string Path)? RuntimeOf(ContainerRecord container)
    {
        try { return _runtimes().Resolve(container.Runtime); }
        catch (ArgumentException) { return null; } // That runtime is no longer configured.
    }

    // Docker's code for a process whose end nobody saw (the monitor died, or the host rebooted).
    private static ShimExit LostMonitor => new(255, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, false);

    /// <summary>
    /// Follows one run of the container: its exit is recorded (and waiters answered) as soon as the
    /// monitor reports it; the monitor's folder goes once the monitor has also had the runtime
    /// delete the container, and a new start of the container waits for that.
    /// </summary>
    private async Task MonitorAsync(string id, string stateDir, LiveContainer live)
    {
        var recorded = Task.CompletedTask;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        live.MonitorDone = done.Task;
        try
        {
            try
            {
                await new ShimConnection(stateDir).WaitForShimExitAsync(exit => recorded = RecordExitAsync(id, live, exit), CancellationToken.None);
            }
            catch (ShimUnavailableException)
            {
                // The monitor is gone without a word and without an exit file.
                recorded = RecordExitAsync(id, live, LostMonitor);
            }
            await recorded;
            try { _platform.Runtime.DeleteState(id); } catch (IOException) { }
        }
        finally { done.TrySetResult(); }
    }

    private async Task RecordExitAsync(string id, LiveContainer live, ShimExit exit)
    {
        await live.Gate.WaitAsync();
        ContainerRecord? exited = null;
        try
        {
            var container = _store.Get(id);
            if (container is null || !container.State.Running) { return; }
            exited = container with
            {
                State = container.State with
                {
                    Status = ContainerStatus.Exited,
                    Pid = 0,
                    MonitorPid = 0,
                    ExitCode = exit.ExitCode,
                    OOMKilled = exit.OomKilled,
                    FinishedAt = exit.FinishedAt,
                },
            };
            _store.Update(exited, durable: false);
            if (exit.OomKilled) { Publish(exited, "oom"); }
            Publish(exited, "die", new Dictionary<string, string> { ["exitCode"] = exit.ExitCode.ToString(CultureInfo.InvariantCulture) });
            // Waiters of this run are answered; whoever waits from now on waits for the next one.
            live.Exit.TrySetResult(exited.State);
            live.Exit = LiveContainer.NewExit();
            // Then the root is unmounted, still under the gate (a start or remove waits for it): the
            // unmount syncs the container's changes to the disk, which the waiters need not wait for.
            ReleaseVolumes(container);
            try { _files.UnmountRootfs(id); } catch (IOException) { }
            if (exited.Config.Host.AutoRemove) { AutoRemoveLocked(exited, live); }
        }
        finally { live.Gate.Release(); }
    }

    // docker run --rm. A removal that fails leaves the container dead with the reason, and its
    // waiters get the error instead of waiting for good.
    private void AutoRemoveLocked(ContainerRecord container, LiveContainer live)
    {
        try { RemoveLocked(container, removeVolumes: true); }
        catch (IOException e)
        {
            var waiters = live.Removed;
            live.Removed = new(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.TrySetException(e);
        }
    }

    /// <summary>
    /// Stops a running container: its stop signal (or <paramref name="signal"/>), then SIGKILL after
    /// <paramref name="timeout"/> (the container's StopTimeout, else 10 s; negative waits forever).
    /// </summary>
    /// <returns>False when it was not running.</returns>
    public async Task<bool> StopAsync(string idOrName, int? timeout, string? signal, CancellationToken cancellationToken)
    {
        var container = _store.Find(idOrName);
        var live = Live(container.Id);
        await live.Gate.WaitAsync(cancellationToken);
        Task<ContainerState> exit;
        int grace;
        try
        {
            container = _store.Get(container.Id) ?? throw new ContainerNotFoundException(idOrName);
            if (!container.State.Running) { return false; }
            exit = live.Exit.Task;
            grace = timeout ?? container.Config.StopTimeout ?? 10;
            SendSignal(container, Signals.Parse(signal ?? container.StopSignal));
        }
        finally { live.Gate.Release(); }
        if (grace < 0) { await exit.WaitAsync(cancellationToken); return true; }
        if (await Task.WhenAny(exit, Task.Delay(TimeSpan.FromSeconds(grace), cancellationToken)) != exit)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var current = _store.Get(container.Id);
            if (current is { State.Running: true }) { SendSignal(current, Signals.Kill); }
        }
        await exit.WaitAsync(cancellationToken);
        Publish(container, "stop");
        return true;
    }

    /// <summary>Sends a signal (SIGKILL by default) to the container's process.</summary>
    /// <exception cref="ContainerConflictException">It is not running.</exception>
    public async Task KillAsync(string idOrName, string? signal, CancellationToken cancellationToken)
    {
        var number = Signals.Parse(string.IsNullOrEmpty(signal) ? "SIGKILL" : signal);
        var container = _store.Find(idOrName);
        var live = Live(container.Id);
        Task<ContainerState> exit;
        await live.Gate.WaitAsync(cancellationToken);
        try
        {
            container = _store.Get(container.Id) ?? throw new ContainerNotFoundException(idOrName);
            if (!container.State.Running) { throw new ContainerConflictException($"Container {container.Id} is not running"); }
            exit = live.Exit.Task;
            SendSignal(container, number);
            Publish(container, "kill", new Dictionary<string, string> { ["signal"] = number.ToString(CultureInfo.InvariantCulture) });
        }
        finally { live.Gate.Release(); }
        // SIGKILL always ends it: answer once it is recorded, so a following inspect shows it.
        if (number == Signals.Kill) { await exit.WaitAsync(cancellationToken); }
    }

    private async Task KillAndWaitLockedAsync(ContainerRecord container, LiveContainer live, CancellationToken cancellationToken)
    {
        var exit = live.Exit.Task;
        SendSignal(container, Signals.Kill);
        Publish(container, "kill", new Dictionary<string, string> { ["signal"] = "9" });
        // RecordExit needs the gate this caller holds: let it in, then take the gate back.
        live.Gate.Release();
        try { await exit.WaitAsync(cancellationToken); }
        finally { await live.Gate.WaitAsync(CancellationToken.None); }
    }

    private static void SendSignal(ContainerRecord container, int signal)
    {
        if (container.State.Pid <= 0) { return; }
        if (Native.Processes.Kill(container.State.Pid, signal) is var errno and not 0 && errno != 3 /* ESRCH: already gone */)
        {
            throw new IOException($"cannot signal container {container.ShortId}: errno {errno}");
        }
    }

    /// <summary>
    /// Waits for the container: <c>not-running</c> (now if it is not running), <c>next-exit</c>, or <c>removed</c>.
    /// </summary>
    /// <returns>The exit code and error of the run that ended.</returns>
    public async Task<ContainerState> WaitAsync(string idOrName, string? condition, CancellationToken cancellationToken)
    {
        var container = _store.Find(idOrName);
        var live = Live(container.Id);
        switch (condition)
        {
            case null or "" or "not-running":
                if (!container.State.Running) { return container.State; }
                return await live.Exit.Task.WaitAsync(cancellationToken);
            case "next-exit":
                return await live.Exit.Task.WaitAsync(cancellationToken);
            case "removed":
                // A run that never began (a failed start) is removed without an exit.
                return await live.Removed.Task.WaitAsync(cancellationToken);
            default:
                throw new ArgumentException($"invalid condition: \"{condition}\"");
        }
    }

    /// <summary>Stops (if running) and starts the container again.</summary>
    public async Task RestartAsync(string idOrName, int? timeout, string? signal, CancellationToken cancellationToken)
    {
        await StopAsync(idOrName, timeout, signal, cancellationToken);
        await StartAsync(idOrName, cancellationToken);
        Publish(_store.Find(idOrName), "restart");
    }
}

/// <summary>A container could not be started; <see cref="ExitCode"/> is what its state records.</summary>
public sealed class ContainerStartException(string message, int exitCode, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Docker's code for the failure: 127 command not found, 126 not executable, 128 other.</summary>
    public int ExitCode { get; } = exitCode;
}
