using System.Management.Automation;
using System.Text;
using DockPS.Registry.Client;

namespace DockPS.Commands.Registries;

/// <summary>
/// <para type="synopsis">Gets a manifest from a registry without pulling the image.</para>
/// <para type="description">Fetches the manifest a reference names (host[:port]/repository:tag or host[:port]/repository@sha256:…; no tag means latest), like docker manifest inspect or skopeo inspect --raw, and writes a RegistryManifest: its digest (verified against the bytes), media type and size; for an image its config and layers (digest, size, media type) and the total size a pull downloads; for an index (multi-platform image, Docker manifest list) the manifests it lists with their platforms. OCI and Docker schema 2 manifests are both read. -Raw writes the manifest's JSON text exactly as the registry served it instead. RegistryTag objects from Get-RegistryTag bind by property name. A repository, tag or digest the registry does not know is a non-terminating ObjectNotFound error; a malformed reference is InvalidArgument. Talks to the registry directly: plain HTTP for loopback registries, HTTPS for others; credentials from -Credential, else the stored login for the registry.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RegistryManifest")]
[OutputType(typeof(Types.RegistryManifest), typeof(string))]
public sealed class GetRegistryManifestCommand : RegistryCmdlet
{
    #region Parameters

    /// <summary><para type="description">What to inspect: host[:port]/repository[:tag] or host[:port]/repository@sha256:… (a path alone with -Registry).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegistryContentCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Reference { get; set; } = [];

    /// <summary><para type="description">The registry, host[:port], for references that name none.</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegistryNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Registry { get; set; }

    /// <summary><para type="description">Write the manifest's JSON text, byte for byte as the registry served it, instead of an object.</para></summary>
    [Parameter]
    public SwitchParameter Raw { get; set; }

    #endregion

    /// <summary>Fetches and writes each manifest.</summary>
    protected override void ProcessRecord()
    {
        foreach (var text in Reference)
        {
            try
            {
                var reference = ParseReference(text, Registry);
                var client = ClientFor(reference.Registry!);
                var fetched = Run(ct => client.GetManifestAsync(reference.Repository, reference.ManifestReference, null, ct));
                WriteVerbose($"{reference}: {fetched.MediaType}, {fetched.Digest}, {fetched.Content.Length} bytes.");
                WriteObject(Raw ? Encoding.UTF8.GetString(fetched.Content) : RegistryObjects.From(reference, fetched));
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteError(ToErrorRecord(e, "GetRegistryManifestFailed", "RegistryManifestNotFound", text));
            }
        }
    }
}
