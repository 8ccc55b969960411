using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Stops running containers.</para>
/// <para type="description">Stops containers, like docker stop: sends the stop signal (SIGTERM, or the container's own), waits -Timeout seconds (default: the container's, else 10) for the process to end, then kills it. A container that is not running is left as it is. Takes DockContainer objects (or names and IDs) from the pipeline: Get-Container | Stop-Container stops every running container.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockContainer))]
public sealed class StopContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Names or IDs of the containers to stop.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Seconds to wait after the signal before killing; 0 kills at once.</para></summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; }

    /// <summary><para type="description">The signal to stop with instead of the container's stop signal, e.g. SIGINT or 2.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Signal { get; set; }

    /// <summary><para type="description">Write each stopped container.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>The query of a stop or restart: t (seconds before the kill) and signal, when given.</summary>
    internal static string StopQuery(int? timeout, string? signal)
    {
        var parts = new List<string>();
        if (timeout is { } t) { parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"t={t}")); }
        if (signal is not null) { parts.Add("signal=" + Uri.EscapeDataString(signal)); }
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }

    /// <summary>Stops each container; a failure is reported and the pipeline goes on.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Stop container")) { continue; }
            try
            {
                var query = StopQuery(MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null, Signal);
                using var response = Call(async (_, ct) => await Http.SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(name)}/stop{query}", ct));
                var stopped = response.StatusCode != System.Net.HttpStatusCode.NotModified;
                if (!stopped) { WriteVerbose($"{name} was not running."); }
                if (PassThru) { WriteObject(Call((c, ct) => ContainerObjects.DescribeAsync(c, name, false, ResolvedAddress, ct))); }
            }
            catch (Exception e) when (ContainerObjects.IsNotFound(e))
            {
                WriteFailure(e, "ContainerNotFound", name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "StopContainerFailed", name);
            }
        }
    }
}
