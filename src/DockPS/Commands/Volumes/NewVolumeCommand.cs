using System.Collections;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Volumes;

/// <summary>
/// <para type="synopsis">Creates a volume: data that outlives containers.</para>
/// <para type="description">Creates a volume on the daemon, like docker volume create. Without -Name the volume is anonymous (a random 64-hex name; Clear-Volume removes such volumes when no container uses them). A name that exists already returns that volume unchanged. Names are letters, digits, '_', '.' and '-', starting with a letter or digit, at least two characters. -DriverOption takes the local driver's type, device and o: @{ type = 'tmpfs'; device = 'tmpfs'; o = 'size=100m' } makes a volume in memory, @{ type = 'none'; o = 'bind'; device = '/srv/data' } one that shows a host directory; either is mounted while containers use it.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "Volume", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DockVolume))]
public sealed class NewVolumeCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">The volume's name; omit it for an anonymous volume.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary><para type="description">The volume driver; local (the default) is the one DockPS has.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Driver { get; set; }

    /// <summary><para type="description">Labels: a hashtable of key to value, e.g. @{ team = 'web' }.</para></summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary><para type="description">Driver options: for local, type, device and o (mount options), e.g. @{ type = 'tmpfs'; device = 'tmpfs'; o = 'size=64m' }.</para></summary>
    [Parameter]
    [Alias("Opt")]
    public Hashtable? DriverOption { get; set; }

    #endregion

    /// <summary>Creates one volume per name (or one anonymous volume).</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name ?? "(anonymous)", "Create volume")) { return; }
        try
        {
            var volume = Call((c, ct) => c.Volumes.CreateAsync(new VolumesCreateParameters
            {
                Name = Name ?? "",
                Driver = Driver ?? "local",
                Labels = VolumeObjects.Map(Label),
                DriverOpts = VolumeObjects.Map(DriverOption),
            }, ct));
            WriteObject(VolumeObjects.From(volume, ResolvedAddress));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteFailure(e, "NewVolumeFailed", Name);
        }
    }
}
