namespace DockPS.Types;

/// <summary>An image on a daemon (Get-Image, Import-Image, …).</summary>
public sealed class DockImage
{
    /// <summary>The image ID (sha256:…).</summary>
    public string Id { get; init; } = "";

    /// <summary>The first 12 hex digits of the ID, as docker shows it.</summary>
    public string ShortId => Id.StartsWith("sha256:", StringComparison.Ordinal) && Id.Length >= 19 ? Id[7..19] : Id;

    /// <summary>The repository of the first tag, or &lt;none&gt;.</summary>
    public string Repository => Tags.Length > 0 ? Split(Tags[0]).Repository : "<none>";

    /// <summary>The tag of the first name, or &lt;none&gt;.</summary>
    public string Tag => Tags.Length > 0 ? Split(Tags[0]).Tag : "<none>";

    /// <summary>Every name:tag of the image.</summary>
    public string[] Tags { get; init; } = [];

    /// <summary>name@sha256:… names (the manifest digest in a registry).</summary>
    public string[] RepoDigests { get; init; } = [];

    /// <summary>The registry manifest digest of the first repo digest, when the image came from or went to a registry.</summary>
    public string? Digest => RepoDigests.Length > 0 ? RepoDigests[0][(RepoDigests[0].IndexOf('@') + 1)..] : null;

    /// <summary>Unpacked size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>When the image was created (local time).</summary>
    public DateTime Created { get; init; }

    /// <summary>CPU architecture (amd64, arm64), when inspected.</summary>
    public string? Architecture { get; init; }

    /// <summary>Operating system, when inspected.</summary>
    public string? Os { get; init; }

    /// <summary>Layer diff IDs, bottom first, when inspected.</summary>
    public string[] Layers { get; init; } = [];

    /// <summary>Image labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The container defaults (Cmd, Entrypoint, Env, WorkingDir, User, ExposedPorts, Volumes), when inspected.</summary>
    public Docker.DotNet.Models.DockerOCIImageConfig? Config { get; init; }

    /// <summary>The daemon the image is on.</summary>
    public string HostAddress { get; init; } = "";

    private static (string Repository, string Tag) Split(string name) =>
        Client.ReferenceText.Split(name) is var (repository, tag) ? (repository, tag ?? "<none>") : default;

    /// <inheritdoc/>
    public override string ToString() => Tags.Length > 0 ? Tags[0] : Id;
}

/// <summary>One step of an image's history (Get-ImageHistory).</summary>
public sealed class DockImageHistory
{
    /// <summary>The image ID for the newest step, else &lt;missing&gt;.</summary>
    public string Id { get; init; } = "";

    /// <summary>When the step ran (local time).</summary>
    public DateTime Created { get; init; }

    /// <summary>The command that made it.</summary>
    public string CreatedBy { get; init; } = "";

    /// <summary>Bytes the step added.</summary>
    public long Size { get; init; }

    /// <summary>The step's comment.</summary>
    public string Comment { get; init; } = "";

    /// <summary>Tags of the image, on the newest step.</summary>
    public string[] Tags { get; init; } = [];
}

/// <summary>What Remove-Image or Clear-Image did to one name or image.</summary>
public sealed class DockImageRemoval
{
    /// <summary>"Untagged" or "Deleted".</summary>
    public string Action { get; init; } = "";

    /// <summary>The name untagged or the ID deleted.</summary>
    public string Target { get; init; } = "";
}

/// <summary>What a prune removed (Clear-Image, Clear-Volume, Clear-Container).</summary>
public sealed class DockPruneResult
{
    /// <summary>Image names untagged and image IDs deleted (Clear-Image), names of the volumes deleted (Clear-Volume), or IDs of the containers deleted (Clear-Container).</summary>
    public string[] Deleted { get; init; } = [];

    /// <summary>Bytes freed.</summary>
    public long SpaceReclaimed { get; init; }
}
