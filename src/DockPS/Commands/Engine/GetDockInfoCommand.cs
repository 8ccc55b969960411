using System.Globalization;
using System.Management.Automation;
using Docker.DotNet.Models;
using DockPS.Types;

namespace DockPS.Commands.Engine;

/// <summary>
/// <para type="synopsis">Gets facts about the daemon and its host.</para>
/// <para type="description">Returns one DockInfo object combining the daemon's /info and /version answers: engine and API versions, host OS and kernel, storage and cgroup facts, OCI runtimes, and counts of containers, images and volumes.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "DockInfo")]
[OutputType(typeof(DockInfo))]
public sealed class GetDockInfoCommand : DockCmdlet
{
    /// <summary>Queries the daemon and writes the combined object.</summary>
    protected override void EndProcessing()
    {
        try
        {
            var info = Call((c, ct) => c.System.GetSystemInfoAsync(ct));
            var version = Call((c, ct) => c.System.GetVersionAsync(ct));
            var volumes = Call((c, ct) => c.Volumes.ListAsync(ct));
            WriteObject(Convert(info, version, volumes.Volumes?.Count ?? 0));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail(e, "DockInfoFailed", ResolvedAddress);
        }
    }

    private DockInfo Convert(SystemInfoResponse info, VersionResponse version, long volumes) => new()
    {
        Name = info.Name,
        Id = info.ID,
        HostAddress = ResolvedAddress,
        Product = version.Platform?.Name ?? "",
        ServerVersion = info.ServerVersion,
        ApiVersion = version.APIVersion,
        MinApiVersion = version.MinAPIVersion ?? "",
        OperatingSystem = info.OperatingSystem,
        OSVersion = info.OSVersion,
        OSType = info.OSType,
        KernelVersion = info.KernelVersion,
        Architecture = info.Architecture,
        CpuCount = info.NCPU,
        MemoryBytes = info.MemTotal,
        StorageDriver = info.Driver,
        StorageStatus = (info.DriverStatus ?? []).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]),
        DataRoot = info.DockerRootDir,
        CgroupVersion = info.CgroupVersion ?? "",
        CgroupDriver = info.CgroupDriver,
        Runtimes = info.Runtimes?.Keys.Order().ToArray() ?? [],
        DefaultRuntime = info.DefaultRuntime,
        SecurityOptions = info.SecurityOptions?.ToArray() ?? [],
        Containers = info.Containers,
        ContainersRunning = info.ContainersRunning,
        ContainersPaused = info.ContainersPaused,
        ContainersStopped = info.ContainersStopped,
        Images = info.Images,
        Volumes = volumes,
        Labels = info.Labels?.ToArray() ?? [],
        Debug = info.Debug,
        SystemTime = DateTime.TryParse(info.SystemTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : default,
        Warnings = info.Warnings?.ToArray() ?? [],
    };
}
