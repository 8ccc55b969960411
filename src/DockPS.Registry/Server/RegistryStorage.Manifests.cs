using System.Text;
using DockPS.Registry.Client;

namespace DockPS.Registry.Server;

/// <summary>A manifest as stored: digest, media type and the exact bytes pushed.</summary>
public sealed record StoredManifest(string Digest, string MediaType, byte[] Content);

public sealed partial class RegistryStorage
{
    /// <summary>Largest manifest accepted; the spec asks registries to take at least 4 MiB.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>The manifest a tag or digest names in <paramref name="name"/>, or null.</summary>
    public StoredManifest? FindManifest(string name, string reference)
    {
        RepositoryName.Validate(name);
        var digest = ResolveReference(name, reference);
        if (digest is null) { return null; }
        var revision = RevisionPath(name, digest);
        var content = BlobPath(digest);
        try
        {
            var mediaType = File.ReadAllText(revision);
            return new StoredManifest(digest, mediaType, File.ReadAllBytes(content));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // deleted while we looked, or content collected after a delete
        }
    }

    /// <summary>
    /// Stores a manifest under <paramref name="reference"/> (a tag, or the digest of the body).
    /// Verifies it first: the digest when one is given, the shape, and that every blob and child
    /// manifest it references is in the repository. Returns what was stored.
    /// </summary>
    public (StoredManifest Manifest, ManifestDocument Document) PutManifest(string name, string reference, string? contentType, byte[] body)
    {
        RepositoryName.Validate(name);
        if (body.Length > MaxManifestBytes)
        {
            throw new DistributionException(DistributionErrorCode.ManifestInvalid,
                $"manifest larger than {MaxManifestBytes} bytes", status: 413);
        }
        string digest;
        string? tag = null;
        if (IsDigestReference(reference))
        {
            RequireDigest(reference);
            if (!ContentDigest.Matches(body, reference))
            {
                throw new DistributionException(DistributionErrorCode.DigestInvalid, "the manifest does not match its digest", reference);
            }
            digest = reference;
        }
        else
        {
            RequireTag(reference);
            tag = reference;
            digest = ContentDigest.Compute(body);
        }
        var document = ManifestDocument.Parse(body, contentType);

        var temp = AtomicFile.NewTempPath(TempFolder);
        File.WriteAllBytes(temp, body);
        using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite)) { stream.Flush(flushToDisk: true); }
        try
        {
            using (Lock.Shared())
            {
                foreach (var blob in document.Blobs) { RequireReferenced(FindBlob(name, blob)?.Path, blob); }
                foreach (var child in document.ChildManifests)
                {
                    RequireReferenced(File.Exists(RevisionPath(name, child)) ? BlobPath(child) : null, child);
                }
                if (!AtomicFile.MoveIntoPlace(temp, BlobPath(digest), overwrite: false)) { File.Delete(temp); }
                File.SetLastWriteTimeUtc(BlobPath(digest), DateTime.UtcNow);
                AtomicFile.Write(TempFolder, RevisionPath(name, digest), Encoding.UTF8.GetBytes(document.MediaType));
                if (document.Subject is { } subject) { AtomicFile.Write(TempFolder, ReferrerPath(name, subject, digest), []); }
                if (tag is not null) { AtomicFile.Write(TempFolder, TagPath(name, tag), Encoding.UTF8.GetBytes(digest)); }
            }
        }
        finally
        {
            File.Delete(temp);
        }
        return (new StoredManifest(digest, document.MediaType, body), document);
    }

    /// <summary>
    /// Deletes a tag, or a manifest by digest together with every tag that names it. False when
    /// there was nothing to delete.
    /// </summary>
    public bool DeleteManifest(string name, string reference)
    {
        RepositoryName.Validate(name);
        if (!IsDigestReference(reference))
        {
            RequireTag(reference);
            var tagPath = TagPath(name, reference);
            if (!File.Exists(tagPath)) { return false; }
            File.Delete(tagPath);
            return true;
        }
        RequireDigest(reference);
        var revision = RevisionPath(name, reference);
        if (!File.Exists(revision)) { return false; }
        foreach (var tag in ListTags(name).Where(t => ReadTag(name, t) == reference))
        {
            File.Delete(TagPath(name, tag));
        }
        // Its entry under its subject's referrers goes too; read before the revision disappears.
        if (FindManifest(name, reference) is { } stored
            && ManifestDocument.Parse(stored.Content, stored.MediaType).Subject is { } subject)
        {
            File.Delete(ReferrerPath(name, subject, reference));
        }
        File.Delete(revision);
        return true;
    }

    /// <summary>The repository's tags in ASCII order; NAME_UNKNOWN when the repository does not exist.</summary>
    public IReadOnlyList<string> ListTags(string name)
    {
        if (!RepositoryExists(name))
        {
            throw new DistributionException(DistributionErrorCode.NameUnknown, "repository name not known to registry", name);
        }
        var folder = Path.Combine(RepositoryFolder(name), "_tags");
        if (!Directory.Exists(folder)) { return []; }
        var tags = Directory.EnumerateFiles(folder).Select(Path.GetFileName).OfType<string>()
            .Where(RepositoryName.IsValidTag).ToList();
        tags.Sort(StringComparer.Ordinal);
        return tags;
    }

    /// <summary>Every repository with at least one manifest, in ASCII order.</summary>
    public IReadOnlyList<string> ListRepositories()
    {
        var names = new List<string>();
        if (!Directory.Exists(RepositoriesFolder)) { return names; }
        foreach (var manifests in Directory.EnumerateDirectories(RepositoriesFolder, "_manifests", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(RepositoriesFolder, Path.GetDirectoryName(manifests)!).Replace('\\', '/');
            if (RepositoryName.IsValid(name) && Directory.EnumerateFiles(manifests, "*", SearchOption.AllDirectories).Any())
            {
                names.Add(name);
            }
        }
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    /// <summary>
    /// The referrers of <paramref name="subject"/> in <paramref name="name"/> as index descriptors,
    /// optionally only those of one artifact type. An unknown repository or subject has none.
    /// </summary>
    public IReadOnlyList<Descriptor> ListReferrers(string name, string subject, string? artifactType)
    {
        RepositoryName.Validate(name);
        var (algorithm, hex) = Split(subject);
        var folder = Path.Combine(RepositoryFolder(name), "_referrers", algorithm, hex);
        var result = new List<Descriptor>();
        if (!Directory.Exists(folder)) { return result; }
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var referrer = Path.GetFileName(file);
            var dash = referrer.IndexOf('-');
            if (dash < 0) { continue; }
            var digest = referrer[..dash] + ":" + referrer[(dash + 1)..];
            if (!ContentDigest.IsValid(digest) || FindManifest(name, digest) is not { } stored) { continue; }
            var document = ManifestDocument.Parse(stored.Content, stored.MediaType);
            if (artifactType is not null && document.ArtifactType != artifactType) { continue; }
            result.Add(new Descriptor
            {
                MediaType = stored.MediaType,
                Digest = stored.Digest,
                Size = stored.Content.Length,
                ArtifactType = document.ArtifactType,
                Annotations = document.Annotations,
            });
        }
        return result;
    }

    /// <summary>Digests are <c>algorithm:hex</c>; tags cannot contain a colon.</summary>
    public static bool IsDigestReference(string reference) => reference.Contains(':');

    private string? ResolveReference(string name, string reference)
    {
        if (IsDigestReference(reference))
        {
            RequireDigest(reference);
            return File.Exists(RevisionPath(name, reference)) ? reference : null;
        }
        RequireTag(reference);
        return ReadTag(name, reference);
    }

    private string? ReadTag(string name, string tag)
    {
        try
        {
            var digest = File.ReadAllText(TagPath(name, tag)).Trim();
            return ContentDigest.IsValid(digest) ? digest : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void RequireTag(string tag)
    {
        if (!RepositoryName.IsValidTag(tag))
        {
            throw new DistributionException(DistributionErrorCode.ManifestInvalid, "invalid tag", tag);
        }
    }

    private static void RequireReferenced(string? contentPath, string digest)
    {
        if (contentPath is null || !File.Exists(contentPath))
        {
            throw new DistributionException(DistributionErrorCode.ManifestBlobUnknown,
                "the manifest references a blob or manifest the repository does not have", digest);
        }
        // Under the shared lock: the collector now sees this content as wanted.
        File.SetLastWriteTimeUtc(contentPath, DateTime.UtcNow);
    }

    internal string RevisionPath(string name, string digest)
    {
        var (algorithm, hex) = Split(digest);
        return Path.Combine(RepositoryFolder(name), "_manifests", algorithm, hex);
    }

    private string TagPath(string name, string tag) => Path.Combine(RepositoryFolder(name), "_tags", tag);

    private string ReferrerPath(string name, string subject, string referrer)
    {
        var (algorithm, hex) = Split(subject);
        var (refAlgorithm, refHex) = Split(referrer);
        return Path.Combine(RepositoryFolder(name), "_referrers", algorithm, hex, refAlgorithm + "-" + refHex);
    }
}
