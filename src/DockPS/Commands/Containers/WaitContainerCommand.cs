using System.Management.Automation;
using System.Text.Json;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Waits until containers stop, and writes their exit codes.</para>
/// <para type="description">Waits for each container, like docker wait, and writes a DockContainerExit (Container, ExitCode, Error) as each one reaches the condition: not-running (the default: it is not running, now or later), next-exit (its next exit, even if it is stopped now and started later) or removed (it is gone). The waits run side by side, so several containers from the pipeline are watched at once. -Timeout limits the wait, as for Wait-Process: a container not there in time gets an OperationTimeout error. Ctrl+C stops waiting.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "Container")]
[OutputType(typeof(DockContainerExit))]
public sealed class WaitContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Names or IDs of the containers to wait for.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">What to wait for: not-running (default), next-exit or removed.</para></summary>
    [Parameter]
    [ValidateSet("not-running", "next-exit", "removed")]
    public string Condition { get; set; } = "not-running";

    /// <summary><para type="description">Seconds to wait in all, counted from the start of the command. Containers not there by then get an OperationTimeout error (WaitContainerTimeout) and are no longer waited for; the containers themselves are left alone. Without it, the wait has no end.</para></summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Timeout { get; set; } = -1;

    #endregion

    private readonly List<(string Name, Task<DockContainerExit> Wait)> _waits = [];
    private CancellationTokenSource? _deadline;

    /// <summary>Starts the clock for -Timeout.</summary>
    protected override void BeginProcessing()
    {
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        if (Timeout >= 0) { _deadline.CancelAfter(TimeSpan.FromSeconds(Timeout)); }
    }

    /// <summary>Starts a wait for each container.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name) { _waits.Add((name, WaitAsync(name))); }
        WriteFinished();
    }

    /// <summary>Writes each result as its container gets there.</summary>
    protected override void EndProcessing()
    {
        while (_waits.Count > 0)
        {
            try { Task.WaitAny([.. _waits.Select(w => (Task)w.Wait)], _deadline!.Token); }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested) { return; }
            catch (OperationCanceledException)
            {
                foreach (var (name, _) in _waits) { WriteTimeout(name); }
                _waits.Clear();
                return;
            }
            WriteFinished();
        }
    }

    private void WriteTimeout(string name) => WriteFailure(
        new TimeoutException($"container {name} did not reach '{Condition}' within {Timeout} seconds; it was left as it is"),
        "WaitContainerTimeout", ErrorCategory.OperationTimeout, name);

    private void WriteFinished()
    {
        foreach (var (name, wait) in _waits.Where(w => w.Wait.IsCompleted).ToList())
        {
            _waits.Remove((name, wait));
            try
            {
                WriteObject(wait.GetAwaiter().GetResult());
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException) when (_deadline!.IsCancellationRequested)
            {
                WriteTimeout(name);
            }
            catch (Exception e) when (ContainerObjects.IsNotFound(e))
            {
                WriteFailure(e, "ContainerNotFound", name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "WaitContainerFailed", name);
            }
        }
    }

    private async Task<DockContainerExit> WaitAsync(string name)
    {
        var token = _deadline!.Token;
        using var response = await Http.SendAsync(HttpMethod.Post,
            $"containers/{Uri.EscapeDataString(name)}/wait?condition={Condition}", token).ConfigureAwait(false);
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false),
            cancellationToken: token).ConfigureAwait(false);
        var root = body.RootElement;
        return new DockContainerExit
        {
            Container = name,
            ExitCode = root.TryGetProperty("StatusCode", out var code) ? code.GetInt32() : -1,
            Error = root.TryGetProperty("Error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("Message", out var message) && message.GetString() is { Length: > 0 } text ? text : null,
        };
    }

    /// <summary>Releases the -Timeout clock.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing) { _deadline?.Dispose(); }
        base.Dispose(disposing);
    }
}
