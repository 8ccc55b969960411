using System.Management.Automation;
using System.Text.Json;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Waits until containers stop, and writes their exit codes.</para>
/// <para type="description">Waits for each container, like docker wait, and writes a DockContainerExit (Container, ExitCode, Error) as each one reaches the condition: not-running (the default: it is not running, now or later), next-exit (its next exit, even if it is stopped now and started later) or removed (it is gone). The waits run side by side, so several containers from the pipeline are watched at once. Ctrl+C stops waiting.</para>
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

    #endregion

    private readonly List<(string Name, Task<DockContainerExit> Wait)> _waits = [];

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
            try { Task.WaitAny([.. _waits.Select(w => (Task)w.Wait)], Cancellation); }
            catch (OperationCanceledException) { return; }
            WriteFinished();
        }
    }

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
        using var response = await Http.SendAsync(HttpMethod.Post,
            $"containers/{Uri.EscapeDataString(name)}/wait?condition={Condition}", Cancellation).ConfigureAwait(false);
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(Cancellation).ConfigureAwait(false),
            cancellationToken: Cancellation).ConfigureAwait(false);
        var root = body.RootElement;
        return new DockContainerExit
        {
            Container = name,
            ExitCode = root.TryGetProperty("StatusCode", out var code) ? code.GetInt32() : -1,
            Error = root.TryGetProperty("Error", out var error) && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("Message", out var message) && message.GetString() is { Length: > 0 } text ? text : null,
        };
    }
}
