using System.Management.Automation;
using DockPS.Registry.Client;

namespace DockPS.Commands.Registries;

/// <summary>
/// <para type="synopsis">Deletes a manifest from a registry, by digest or by a tag that points to it.</para>
/// <para type="description">Deletes the manifest a reference names from the registry (DELETE /v2/&lt;name&gt;/manifests/&lt;digest&gt;). By digest (host[:port]/repository@sha256:…) that manifest is deleted. By tag (host[:port]/repository:tag) the tag is first resolved to the digest it points to now (a HEAD request), and that manifest is deleted: every tag pointing at the same manifest goes with it, because the distribution API deletes manifests, not tags (deleting a tag alone, which the OCI spec allows registries to offer, is not supported by every registry, the reference registry included, so it is not what this cmdlet does). Deleting an index leaves the manifests it lists. The blobs stay until the registry's garbage collection removes them. The registry must allow deletes: one that does not answers 405 (UNSUPPORTED), reported as a NotImplemented error. A repository, tag or digest the registry does not know is a non-terminating ObjectNotFound error. -WhatIf shows the digest that would be deleted and deletes nothing; the deletion cannot be undone, so it asks for confirmation unless -Confirm:$false. RegistryTag and RegistryManifest objects bind by property name (a RegistryManifest by its digest).</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "RegistryManifest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveRegistryManifestCommand : RegistryCmdlet
{
    #region Parameters

    /// <summary><para type="description">What to delete: host[:port]/repository@sha256:… (that manifest) or host[:port]/repository:tag (the manifest the tag points to, with all its tags). A path alone with -Registry.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(RegistryContentCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Reference { get; set; } = [];

    /// <summary><para type="description">The registry, host[:port], for references that name none.</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(RegistryNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Registry { get; set; }

    #endregion

    /// <summary>Resolves and deletes each manifest.</summary>
    protected override void ProcessRecord()
    {
        foreach (var text in Reference)
        {
            try
            {
                var reference = ParseReference(text, Registry);
                var client = ClientFor(reference.Registry!);
                var digest = reference.Digest ?? ResolveTag(client, reference);
                if (digest is null) { continue; }
                var target = reference.Digest is null ? $"{reference.Name}:{reference.ManifestReference} ({digest})" : $"{reference.Name}@{digest}";
                if (!ShouldProcess(target, "Delete the manifest and every tag that points to it")) { continue; }
                Run(ct => client.DeleteManifestAsync(reference.Repository, digest, ct));
                WriteVerbose($"Deleted {reference.Name}@{digest}.");
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteError(ToErrorRecord(e, "RemoveRegistryManifestFailed", "RegistryManifestNotFound", text));
            }
        }
    }

    /// <summary>
    /// The digest a tag points to now, or null (after an ObjectNotFound error) when there is no
    /// such tag. A registry that leaves Docker-Content-Digest off its HEAD answer is asked for the
    /// manifest itself, whose bytes give the digest.
    /// </summary>
    private string? ResolveTag(RegistryClient client, ImageReference reference)
    {
        var tag = reference.ManifestReference;
        var head = Run(ct => client.HeadManifestAsync(reference.Repository, tag, null, ct));
        if (head is null)
        {
            WriteError(new ErrorRecord(new DockException($"{reference.Name} has no tag '{tag}' (or the registry has no such repository)."),
                "RegistryManifestNotFound", ErrorCategory.ObjectNotFound, $"{reference.Name}:{tag}"));
            return null;
        }
        if (ContentDigest.IsValid(head.Digest)) { return head.Digest; }
        return Run(ct => client.GetManifestAsync(reference.Repository, tag, null, ct)).Digest;
    }
}
