using System.Globalization;

namespace DockPS.Types;

/// <summary>A container on a daemon (Get-Container, New-Container, Start-Container -PassThru, …).</summary>
public sealed class DockContainer
{
    /// <summary>The container ID (64 hex digits).</summary>
    public string Id { get; init; } = "";

    /// <summary>The first 12 hex digits of the ID, as docker shows it.</summary>
    public string ShortId => Id.Length > 12 ? Id[..12] : Id;

    /// <summary>The container's name, without Docker's leading '/'.</summary>
    public string Name { get; init; } = "";

    /// <summary>The image as it was asked for (busybox, busybox:latest, an ID).</summary>
    public string Image { get; init; } = "";

    /// <summary>The ID of the image the container was made from (sha256:…).</summary>
    public string ImageId { get; init; } = "";

    /// <summary>The command line the container runs (entrypoint and arguments), as docker ps shows it.</summary>
    public string Command { get; init; } = "";

    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public string State { get; init; } = "";

    /// <summary>The state in words, as docker ps shows it: "Up 5 minutes", "Exited (3) 2 hours ago".</summary>
    public string Status { get; init; } = "";

    /// <summary>The exit code of the last run; null while it has never run or is running.</summary>
    public int? ExitCode { get; init; }

    /// <summary>When the container was created (local time).</summary>
    public DateTime Created { get; init; }

    /// <summary>When it last started (local time); null when it never has.</summary>
    public DateTime? StartedAt { get; init; }

    /// <summary>When its last run ended (local time); null when no run has ended.</summary>
    public DateTime? FinishedAt { get; init; }

    /// <summary>Volumes, binds and tmpfs mounts.</summary>
    public DockContainerMount[] Mounts { get; init; } = [];

    /// <summary>User metadata.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Published ports (none until DockPS has networks).</summary>
    public DockContainerPort[] Ports { get; init; } = [];

    /// <summary>Bytes the container wrote to its own layer; null unless asked for (-Size).</summary>
    public long? SizeRw { get; init; }

    /// <summary>Bytes of the image and the container's layer together; null unless asked for (-Size).</summary>
    public long? SizeRootFs { get; init; }

    /// <summary>Whether the container runs with a terminal (its output is then one stream, not stdout and stderr).</summary>
    public bool Tty { get; init; }

    /// <summary>The daemon the container is on.</summary>
    public string HostAddress { get; init; } = "";

    /// <summary>
    /// How long ago <paramref name="time"/> was, in docker's words ("5 minutes ago"); the CREATED
    /// column of the default view uses it.
    /// </summary>
    public static string Ago(DateTime time) => HumanDuration(DateTime.Now - time) + " ago";

    /// <summary>A duration in docker's words: "Less than a second", "About a minute", "3 hours", "2 weeks".</summary>
    public static string HumanDuration(TimeSpan span)
    {
        var seconds = span.TotalSeconds;
        var c = CultureInfo.InvariantCulture;
        return seconds switch
        {
            < 1 => "Less than a second",
            < 2 => "1 second",
            < 60 => string.Format(c, "{0} seconds", (int)seconds),
            < 120 => "About a minute",
            < 3600 => string.Format(c, "{0} minutes", (int)(seconds / 60)),
            < 7200 => "About an hour",
            < 48 * 3600 => string.Format(c, "{0} hours", (int)(seconds / 3600)),
            < 14 * 86400 => string.Format(c, "{0} days", (int)(seconds / 86400)),
            < 60 * 86400 => string.Format(c, "{0} weeks", (int)(seconds / (7 * 86400))),
            < 730 * 86400 => string.Format(c, "{0} months", (int)(seconds / (30 * 86400))),
            _ => string.Format(c, "{0} years", (int)(seconds / (365 * 86400))),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Name.Length > 0 ? Name : Id;
}

/// <summary>One mount of a container: a volume, a bind of a host path, or a tmpfs.</summary>
public sealed class DockContainerMount
{
    /// <summary>volume, bind or tmpfs.</summary>
    public string Type { get; init; } = "";

    /// <summary>The volume's name (volumes only).</summary>
    public string? Name { get; init; }

    /// <summary>The host path behind the mount (a volume's data folder, a bound path; empty for tmpfs).</summary>
    public string Source { get; init; } = "";

    /// <summary>Where the mount appears inside the container.</summary>
    public string Destination { get; init; } = "";

    /// <summary>The volume driver (volumes only).</summary>
    public string? Driver { get; init; }

    /// <summary>The mode the mount was asked with (ro, z, …), as docker reports it.</summary>
    public string Mode { get; init; } = "";

    /// <summary>Whether the container may write to it.</summary>
    public bool ReadWrite { get; init; }

    /// <summary>Bind propagation (rprivate, shared, …); empty when not a bind.</summary>
    public string Propagation { get; init; } = "";

    /// <inheritdoc/>
    public override string ToString() => $"{(Name ?? Source)}:{Destination}{(ReadWrite ? "" : ":ro")}";
}

/// <summary>A published port of a container.</summary>
public sealed class DockContainerPort
{
    /// <summary>The port inside the container.</summary>
    public int PrivatePort { get; init; }

    /// <summary>The port on the host; null when not published.</summary>
    public int? PublicPort { get; init; }

    /// <summary>tcp, udp or sctp.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>The host address the port is published on.</summary>
    public string? HostIp { get; init; }

    /// <inheritdoc/>
    public override string ToString() => PublicPort is { } p ? $"{HostIp}:{p}->{PrivatePort}/{Protocol}" : $"{PrivatePort}/{Protocol}";
}

/// <summary>One line of a container's output (Get-ContainerLog).</summary>
public sealed class DockContainerLogLine
{
    /// <summary>The container's name (or ID when it was asked for by ID and has no name).</summary>
    public string Container { get; init; } = "";

    /// <summary>Stdout or Stderr (a container with a terminal has only Stdout).</summary>
    public string Stream { get; init; } = "";

    /// <summary>When the daemon read the line from the container (local time).</summary>
    public DateTime Time { get; init; }

    /// <summary>The line, without its line break.</summary>
    public string Text { get; init; } = "";

    /// <inheritdoc/>
    public override string ToString() => Text;
}

/// <summary>What a command run in a container (Invoke-ContainerCommand -PassThru) ended with.</summary>
public sealed class DockExecResult
{
    /// <summary>The container the command ran in.</summary>
    public string Container { get; init; } = "";

    /// <summary>The daemon's ID of the exec instance.</summary>
    public string ExecId { get; init; } = "";

    /// <summary>The command's exit code (-1 when the daemon could not tell).</summary>
    public int ExitCode { get; init; }

    /// <summary>The lines the command wrote to stdout (with a terminal: everything it wrote).</summary>
    public string[] Output { get; init; } = [];

    /// <summary>The lines the command wrote to stderr.</summary>
    public string[] Error { get; init; } = [];

    /// <summary>Whether the exit code is 0.</summary>
    public bool Succeeded => ExitCode == 0;
}

/// <summary>What a container run by Invoke-Container -PassThru ended with.</summary>
public sealed class DockRunResult
{
    /// <summary>The container's ID.</summary>
    public string Id { get; init; } = "";

    /// <summary>The container's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The exit code of its main process (-1 when the daemon could not tell).</summary>
    public int ExitCode { get; init; }

    /// <summary>The lines it wrote to stdout (with a terminal: everything it wrote).</summary>
    public string[] Output { get; init; } = [];

    /// <summary>The lines it wrote to stderr.</summary>
    public string[] Error { get; init; } = [];

    /// <summary>Whether the container was removed after the run (-Remove).</summary>
    public bool Removed { get; init; }

    /// <summary>Whether the exit code is 0.</summary>
    public bool Succeeded => ExitCode == 0;
}

/// <summary>A container that reached the condition Wait-Container waited for.</summary>
public sealed class DockContainerExit
{
    /// <summary>The container as it was named to Wait-Container.</summary>
    public string Container { get; init; } = "";

    /// <summary>The exit code of its main process.</summary>
    public int ExitCode { get; init; }

    /// <summary>Why the daemon could not run or wait for it, when it says; else null.</summary>
    public string? Error { get; init; }
}
