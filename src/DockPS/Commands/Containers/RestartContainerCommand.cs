using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Stops and starts containers again.</para>
/// <para type="description">Restarts containers, like docker restart: a running one is stopped as Stop-Container would (signal, -Timeout, kill), then started; a stopped one is started. Takes DockContainer objects (or names and IDs) from the pipeline.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Restart, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DockContainer))]
public sealed class RestartContainerCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Names or IDs of the containers to restart.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ArgumentCompleter(typeof(ContainerNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Seconds to wait after the stop signal before killing; 0 kills at once.</para></summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Timeout { get; set; }

    /// <summary><para type="description">The signal to stop with instead of the container's stop signal.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Signal { get; set; }

    /// <summary><para type="description">Write each restarted container.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    #endregion

    /// <summary>Restarts each container; a failure is reported and the pipeline goes on.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Restart container")) { continue; }
            try
            {
                var query = StopContainerCommand.StopQuery(MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null, Signal);
                Call(async (_, ct) => { using var response = await Http.SendAsync(HttpMethod.Post, $"containers/{Uri.EscapeDataString(name)}/restart{query}", ct); return true; });
                if (PassThru) { WriteObject(Call((c, ct) => ContainerObjects.DescribeAsync(c, name, false, ResolvedAddress, ct))); }
            }
            catch (Exception e) when (ContainerObjects.IsNotFound(e))
            {
                WriteFailure(e, "ContainerNotFound", name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "RestartContainerFailed", name);
            }
        }
    }
}
