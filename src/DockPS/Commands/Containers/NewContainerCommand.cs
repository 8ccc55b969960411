using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Containers;

/// <summary>
/// <para type="synopsis">Creates a container from an image, without starting it.</para>
/// <para type="description">Creates a container, like docker create, and returns it as a DockContainer in the created state; Start-Container runs it. The image must be on the daemon (Receive-Image pulls one). -Volume and -Mount attach volumes (made on first use), host paths and tmpfs; -Memory, -Cpus and -PidsLimit limit it; -Tty and -Interactive prepare it for a terminal or for input. An image that is not there is an ObjectNotFound error, a name that is taken ResourceExists, a bad name or option InvalidArgument.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "Container", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DockContainer))]
public sealed class NewContainerCommand : ContainerCreateCmdlet
{
    #region Parameters

    /// <summary><para type="description">Have the daemon remove the container when it exits (docker create --rm).</para></summary>
    [Parameter]
    public SwitchParameter AutoRemove { get; set; }

    #endregion

    /// <summary>Creates one container.</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name ?? Image, "Create container")) { return; }
        try
        {
            var parameters = BuildCreateParameters(AutoRemove, stdinOnce: false);
            var created = Call((c, ct) => c.Containers.CreateContainerAsync(parameters, ct));
            foreach (var warning in created.Warnings ?? []) { WriteWarning(warning); }
            WriteObject(Call((c, ct) => ContainerObjects.DescribeAsync(c, created.ID, false, ResolvedAddress, ct)));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteFailure(e, CreateErrorId(e), Name ?? Image);
        }
    }

    /// <summary>The error id of a failed create, for New-Container and Invoke-Container alike: the image missing, the name taken, the rest.</summary>
    internal static string CreateErrorId(Exception e) =>
        ContainerObjects.IsNotFound(e) ? "ImageNotFound"
        : ContainerObjects.IsConflict(e) ? "ContainerNameInUse"
        : "NewContainerFailed";
}
