using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Volumes;

/// <summary>
/// <para type="synopsis">Gets the volumes on the daemon.</para>
/// <para type="description">Lists volumes as DockVolume objects, like docker volume ls and docker volume inspect. -Name takes names or wildcard patterns (web*); an exact name that does not exist is a non-terminating ObjectNotFound error. -Label keeps volumes that have a label (key) or a label with a value (key=value); -Dangling keeps volumes no container references.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Volume")]
[OutputType(typeof(DockVolume))]
public sealed class GetVolumeCommand : DockCmdlet
{
    #region Parameters

    /// <summary><para type="description">Volume names or wildcard patterns. Without it, every volume.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(VolumeNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary><para type="description">Only volumes with these labels: key, or key=value; several must all match.</para></summary>
    [Parameter]
    public string[]? Label { get; set; }

    /// <summary><para type="description">Only volumes that no container references.</para></summary>
    [Parameter]
    public SwitchParameter Dangling { get; set; }

    #endregion

    private IList<VolumeResponse>? _list;

    private bool Filtered => Label is { Length: > 0 } || Dangling;

    /// <summary>Writes the volumes each name selects (all when no name is given).</summary>
    protected override void ProcessRecord()
    {
        try
        {
            if (Name is null) { WriteVolumes(_ => true); return; }
            foreach (var name in Name)
            {
                if (WildcardPattern.ContainsWildcardCharacters(name))
                {
                    var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
                    WriteVolumes(v => pattern.IsMatch(v.Name));
                    continue;
                }
                // With filters an exact name is one more condition, and a volume the filters drop is no error.
                if (Filtered) { WriteVolumes(v => v.Name == name); continue; }
                try
                {
                    WriteObject(VolumeObjects.From(Call((c, ct) => c.Volumes.InspectAsync(name, ct)), ResolvedAddress));
                }
                catch (Docker.DotNet.DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    WriteFailure(e, "VolumeNotFound", name);
                }
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "GetVolumeFailed", ResolvedAddress);
        }
    }

    private void WriteVolumes(Func<VolumeResponse, bool> select)
    {
        _list ??= Call((c, ct) => c.Volumes.ListAsync(new VolumesListParameters
        {
            Filters = VolumeObjects.Filters(Label, ("dangling", Dangling ? "true" : null)),
        }, ct)).Volumes ?? [];
        foreach (var volume in _list.Where(select)) { WriteObject(VolumeObjects.From(volume, ResolvedAddress)); }
    }
}
