using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.Json;
using DockPS.Client;
using DockPS.Registry.Client;
using DockPS.Types;
using FetchedManifest = DockPS.Registry.Client.RegistryManifest;
using RegistryManifest = DockPS.Types.RegistryManifest;

namespace DockPS.Commands.Registries;

/// <summary>Turns what the registry client reads into the module's registry objects.</summary>
internal static class RegistryObjects
{
    /// <summary>
    /// The object for a fetched manifest. Its kind comes from the media type the registry served
    /// (else the one the manifest states, else its shape: OCI allows a manifest without a
    /// mediaType member). Throws <see cref="InvalidDataException"/> for a document that is neither
    /// an image manifest nor an index (schema 1, a proxy's page).
    /// </summary>
    public static RegistryManifest From(ImageReference reference, FetchedManifest fetched)
    {
        var mediaType = fetched.MediaType;
        bool hasManifests, hasConfig;
        try
        {
            using var doc = JsonDocument.Parse(fetched.Content);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { throw new InvalidDataException("the manifest is not a JSON object"); }
            if (mediaType.Length == 0 && doc.RootElement.TryGetProperty("mediaType", out var stated) && stated.ValueKind == JsonValueKind.String)
            {
                mediaType = MediaTypes.Normalize(stated.GetString()) ?? "";
            }
            hasManifests = doc.RootElement.TryGetProperty("manifests", out var m) && m.ValueKind == JsonValueKind.Array;
            hasConfig = doc.RootElement.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{reference} is not a JSON manifest: {e.Message}", e);
        }

        var isIndex = MediaTypes.IsIndex(mediaType) || (!MediaTypes.IsManifest(mediaType) && hasManifests);
        if (!isIndex && !MediaTypes.IsManifest(mediaType) && !hasConfig)
        {
            throw new InvalidDataException(
                $"{reference} is a '{(mediaType.Length > 0 ? mediaType : "untyped")}' document, neither an image manifest nor an index; -Raw shows it as served");
        }
        var index = isIndex ? ImageIndex.Parse(fetched.Content) : null;
        var image = isIndex ? null : ImageManifest.Parse(fetched.Content);
        var layers = image?.Layers.Select(Descriptor).ToArray() ?? [];
        return new RegistryManifest
        {
            Registry = reference.Registry!,
            Repository = reference.Repository,
            Tag = reference.Digest is null ? reference.ManifestReference : null,
            Digest = fetched.Digest,
            MediaType = mediaType,
            Size = fetched.Content.Length,
            Kind = isIndex ? RegistryManifestKind.Index : RegistryManifestKind.Image,
            ArtifactType = index?.ArtifactType ?? image?.ArtifactType,
            Annotations = index?.Annotations ?? image?.Annotations ?? new Dictionary<string, string>(),
            Config = image is null ? null : Descriptor(image.Config),
            Layers = layers,
            Manifests = index?.Manifests.Select(Descriptor).ToArray() ?? [],
            TotalSize = image is null ? null : image.Config.Size + layers.Sum(l => l.Size),
        };
    }

    /// <summary>The descriptor of a layer, a config or an index entry.</summary>
    public static RegistryDescriptor Descriptor(Descriptor d) => new()
    {
        Digest = d.Digest,
        MediaType = d.MediaType,
        Size = d.Size,
        ArtifactType = d.ArtifactType,
        Platform = d.Platform is { } p ? string.Join('/', new[] { p.Os, p.Architecture, p.Variant }.Where(s => !string.IsNullOrEmpty(s))) : null,
        Annotations = d.Annotations ?? new Dictionary<string, string>(),
    };
}

/// <summary>
/// Completes repository names (-Name, -Repository) and registry/repository[:tag] references
/// (-Reference) by asking the registry: the one -Registry names, else the host the word starts
/// with. The stored login is used; a registry that does not answer within a few seconds, or
/// refuses, completes nothing.
/// </summary>
public sealed class RegistryContentCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete.Trim('\'', '"');
        var bound = fakeBoundParameters["Registry"] as string;
        var inWord = ReferenceText.RegistryOf(word);
        var registry = inWord ?? bound;
        if (registry is null) { return []; }
        // -Name of Get-RegistryRepository is a bare path; the others take host/path when the word started so.
        var prefix = inWord is null ? "" : inWord + "/";
        var rest = word[prefix.Length..];
        try
        {
            using var cancel = new CancellationTokenSource(Patience);
            using var client = new RegistryClient(RegistryLogins.HostOf(registry), new RegistryClientOptions
            {
                Credential = StoredCredential(registry),
                ConnectTimeout = Patience,
            });
            IEnumerable<string> names;
            var colon = rest.IndexOf(':');
            if (parameterName == "Reference" && colon > 0)
            {
                var repository = rest[..colon];
                names = client.ListTagsAsync(repository, null, cancel.Token).GetAwaiter().GetResult().Select(t => $"{prefix}{repository}:{t}");
            }
            else
            {
                names = client.CatalogAsync(null, cancel.Token).GetAwaiter().GetResult().Select(r => prefix + r);
            }
            var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase);
            return names.Where(pattern.IsMatch).Order(StringComparer.Ordinal)
                .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n)).ToList();
        }
        catch (Exception e) when (e is RegistryException or ArgumentException or OperationCanceledException or IOException or HttpRequestException)
        {
            return [];
        }
    }

    private static Registry.Client.Auth.RegistryCredential? StoredCredential(string registry)
    {
        try { return RegistryLogins.Find(registry)?.Credential; }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { return null; }
    }
}
