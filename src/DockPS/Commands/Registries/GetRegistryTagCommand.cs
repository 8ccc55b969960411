using System.Management.Automation;
using DockPS.Registry.Client;
using DockPS.Types;

namespace DockPS.Commands.Registries;

/// <summary>
/// <para type="synopsis">Gets the tags of a repository in a registry.</para>
/// <para type="description">Lists a repository's tags (GET /v2/&lt;name&gt;/tags/list, every page followed) as RegistryTag objects, like skopeo list-tags. The repository is host[:port]/path, or a path with -Registry; RegistryRepository objects from Get-RegistryRepository bind by property name. -Tag keeps tags by name or wildcard pattern; an exact tag the repository lacks is a non-terminating ObjectNotFound error, and so is a repository the registry does not know. Tags come in the registry's order. Talks to the registry directly: plain HTTP for loopback registries, HTTPS for others; credentials from -Credential, else the stored login for the registry.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RegistryTag")]
[OutputType(typeof(RegistryTag))]
public sealed class GetRegistryTagCommand : RegistryCmdlet
{
    #region Parameters

    /// <summary><para type="description">The repository: host[:port]/path (localhost:5000/team/app), or a path when -Registry names the registry.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegistryContentCompleter))]
    [ValidateNotNullOrEmpty]
    public string Repository { get; set; } = "";

    /// <summary><para type="description">Tags or wildcard patterns (1.*). Without it, every tag.</para></summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Tag { get; set; }

    /// <summary><para type="description">The registry, host[:port], when -Repository is a bare path.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegistryNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Registry { get; set; }

    /// <summary><para type="description">How many tags to ask for per request (the spec's n). Without it the registry chooses; either way every page is read.</para></summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int? PageSize { get; set; }

    #endregion

    /// <summary>Lists the repository's tags and writes what -Tag selects.</summary>
    protected override void ProcessRecord()
    {
        ImageReference repository;
        IReadOnlyList<string> tags;
        try
        {
            repository = ParseReference(Repository, Registry);
            if (repository.Tag is not null || repository.Digest is not null)
            {
                throw new ArgumentException($"'{Repository}' names a tag or digest; give the repository only ({repository.Name})");
            }
            var client = ClientFor(repository.Registry!);
            tags = Run(ct => client.ListTagsAsync(repository.Repository, PageSize, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, "GetRegistryTagFailed", "RegistryRepositoryNotFound", Repository));
            return;
        }

        var patterns = Tag?.Select(t => WildcardPattern.Get(t, WildcardOptions.None)).ToList();
        foreach (var tag in tags.Where(t => patterns is null || patterns.Any(p => p.IsMatch(t))))
        {
            WriteObject(new RegistryTag(repository.Registry!, repository.Repository, tag));
        }
        // Tags are case-sensitive (the spec's grammar allows upper case), so the check is ordinal.
        foreach (var missing in Tag?.Where(t => !WildcardPattern.ContainsWildcardCharacters(t) && !tags.Contains(t)) ?? [])
        {
            WriteError(new ErrorRecord(new DockException($"{repository.Name} has no tag '{missing}'."),
                "RegistryTagNotFound", ErrorCategory.ObjectNotFound, $"{repository.Name}:{missing}"));
        }
    }
}
