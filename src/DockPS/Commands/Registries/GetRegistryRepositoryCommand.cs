using System.Management.Automation;
using DockPS.Types;

namespace DockPS.Commands.Registries;

/// <summary>
/// <para type="synopsis">Gets the repositories of a registry.</para>
/// <para type="description">Lists the registry's catalog (GET /v2/_catalog) as RegistryRepository objects, following every page the registry links to (the n and last parameters of the distribution spec, Link rel="next" headers), so the whole catalog comes back however the registry pages it. -Name keeps repositories by name or wildcard pattern; an exact name the catalog lacks is a non-terminating ObjectNotFound error. Talks to the registry directly, not through a daemon: plain HTTP for loopback registries, HTTPS for others. Credentials come from -Credential, else from the login Connect-Registry (or docker login) stored for the registry. Some registries refuse the catalog to everyone or to anonymous users; that refusal comes back as the registry's error.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RegistryRepository")]
[OutputType(typeof(RegistryRepository))]
public sealed class GetRegistryRepositoryCommand : RegistryCmdlet
{
    #region Parameters

    /// <summary><para type="description">The registry: host[:port], e.g. localhost:5000. A scheme or path (https://host:5000/v2/) is dropped.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegistryNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Registry { get; set; } = "";

    /// <summary><para type="description">Repository names (team/app) or wildcard patterns (team/*). Without it, every repository.</para></summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(RegistryContentCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary><para type="description">How many entries to ask for per request (the spec's n). Without it the registry chooses its page size; either way every page is read.</para></summary>
    [Parameter]
    [ValidateRange(1, 100000)]
    public int? PageSize { get; set; }

    #endregion

    /// <summary>Reads the whole catalog once per registry and writes what -Name selects.</summary>
    protected override void ProcessRecord()
    {
        string registry;
        IReadOnlyList<string> catalog;
        try
        {
            registry = RegistryHost(Registry);
            var client = ClientFor(registry);
            catalog = Run(ct => client.CatalogAsync(PageSize, ct));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            WriteError(ToErrorRecord(e, "GetRegistryRepositoryFailed", "RegistryCatalogNotFound", Registry));
            return;
        }
        WriteVerbose($"{registry} lists {catalog.Count} repositories.");

        if (Name is null)
        {
            foreach (var repository in catalog) { WriteObject(new RegistryRepository(registry, repository)); }
            return;
        }
        var patterns = Name.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var repository in catalog.Where(r => patterns.Any(p => p.IsMatch(r))))
        {
            WriteObject(new RegistryRepository(registry, repository));
        }
        foreach (var missing in Name.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)
            && !catalog.Contains(n, StringComparer.OrdinalIgnoreCase)))
        {
            WriteError(new ErrorRecord(new DockException($"The registry {registry} has no repository '{missing}'."),
                "RegistryRepositoryNotFound", ErrorCategory.ObjectNotFound, missing));
        }
    }
}
