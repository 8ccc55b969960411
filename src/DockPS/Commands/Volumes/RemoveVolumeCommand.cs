using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Volumes;

/// <summary>
/// <para type="synopsis">Removes volumes and the data in them.</para>
/// <para type="description">Removes volumes, like docker volume rm: the volume and every file in it are gone for good, so the cmdlet asks first (ConfirmImpact High; -Confirm:$false skips the question). A volume that a container references is never removed, with or without -Force (a ResourceBusy error naming the containers); -Force only makes a name that does not exist no error. Takes DockVolume objects from Get-Volume through the pipeline.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveVolumeCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Names of the volumes to remove.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[] Name { get; set; } = [];

    /// <summary><para type="description">Do not report volumes that do not exist. Volumes in use are refused all the same.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    #endregion

    /// <summary>Removes each volume; a failure is reported and the pipeline goes on.</summary>
    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            if (!ShouldProcess(name, "Remove volume and its data")) { continue; }
            try
            {
                Call(async (c, ct) => { await c.Volumes.RemoveAsync(name, Force, ct); return true; });
            }
            catch (Docker.DotNet.DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // Docker.DotNet drops the force flag from the request, so the daemon cannot apply it: applied here, to the same effect.
                if (!Force) { WriteFailure(e, "VolumeNotFound", name); }
            }
            catch (Docker.DotNet.DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                WriteFailure(e, "VolumeInUse", ErrorCategory.ResourceBusy, name);
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteFailure(e, "RemoveVolumeFailed", name);
            }
        }
    }
}
