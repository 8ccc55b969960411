using DockPS.Engine.Images;
using DockPS.Engine.Layers;
using DockPS.Registry.Client;

namespace DockPS.Engine.Archives;

/// <summary>An image found in an archive: its configuration, its layer files and its names.</summary>
/// <param name="Config">The configuration bytes (their digest is the image ID).</param>
/// <param name="Layers">The layer files, bottom first, as stored in the content store.</param>
/// <param name="Names">The names the archive gives it (may be empty).</param>
/// <param name="Manifest">The OCI or Docker manifest the archive holds for it, if any.</param>
internal sealed record ArchivedImage(byte[] Config, IReadOnlyList<ArchivedLayer> Layers, IReadOnlyList<string> Names, ArchivedManifest? Manifest);

/// <summary>A layer file of an archive, in the content store.</summary>
/// <param name="Blob">Its digest in the content store.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="MediaType">The media type its descriptor gives, or null (Docker's format has none).</param>
internal sealed record ArchivedLayer(Digest Blob, long Size, string? MediaType);

/// <summary>A manifest blob of an archive.</summary>
internal sealed record ArchivedManifest(Digest Digest, string MediaType);

/// <summary>
/// A docker-save or OCI image-layout archive, read once from a forward-only stream: every file of
/// it goes into the content store (a file named <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c> must match that
/// digest), except small documents outside <c>blobs/</c>, which stay in memory. Nothing is ever
/// written under an archive path, so hostile names can only fail to be found.
/// </summary>
internal sealed class ImageArchive
{
    private const int DocumentLimit = 1 << 20;
    private const int ConfigLimit = 16 << 20;

    private readonly ContentStore _blobs;
    private readonly Dictionary<string, byte[]> _documents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Digest Digest, long Size)> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);
    private readonly HashSet<Digest> _added = [];

    private ImageArchive(ContentStore blobs) => _blobs = blobs;

    /// <summary>Blobs this archive added to the store; the caller removes those no image came to use.</summary>
    public IReadOnlyCollection<Digest> Added => _added;

    /// <summary>Reads an archive (plain tar; the caller decompresses) into the content store.</summary>
    /// <exception cref="LayerException">The tar is corrupt or truncated.</exception>
    /// <exception cref="ContentMismatchException">A blob does not match the digest it is named by.</exception>
    public static async Task<ImageArchive> ReadAsync(Stream tar, ContentStore blobs, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        var archive = new ImageArchive(blobs);
        try
        {
            using var reader = new TarStreamReader(tar, hash: null);
            while (await reader.MoveNextAsync(cancellationToken))
            {
                var entry = reader.Current;
                if (Normalize(entry.Name) is not { } name) { continue; }
                switch (entry.Kind)
                {
                    case TarEntryKind.Symlink when Normalize(Path.GetDirectoryName(name) + "/" + entry.LinkName) is { } target && !entry.LinkName.StartsWith('/'):
                        archive._links[name] = target;
                        break;
                    case TarEntryKind.HardLink when Normalize(entry.LinkName) is { } target:
                        archive._links[name] = target;
                        break;
                    case TarEntryKind.Regular when !name.StartsWith("blobs/", StringComparison.Ordinal) && entry.Size <= DocumentLimit:
                        archive._documents[name] = await ReadAllAsync(reader, entry.Size, cancellationToken);
                        break;
                    case TarEntryKind.Regular:
                        archive._files[name] = await archive.StoreAsync(reader, name, entry.Size, progress, cancellationToken);
                        break;
                }
            }
            return archive;
        }
        catch
        {
            archive.DeleteAdded(_ => false);
            throw;
        }
    }

    /// <summary>Deletes the blobs this archive added that <paramref name="keep"/> does not claim.</summary>
    public void DeleteAdded(Func<Digest, bool> keep)
    {
        foreach (var digest in _added.Where(d => !keep(d))) { _blobs.Delete(digest); }
    }

    /// <summary>
    /// The images in the archive: those of Docker's <c>manifest.json</c> when it has one (with the
    /// OCI manifest of the same configuration, when the layout holds one too), else those of the
    /// OCI <c>index.json</c>, an index inside it resolved to <paramref name="platform"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The archive is neither format, or names files it does not contain.</exception>
    public IReadOnlyList<ArchivedImage> Images((string Os, string Architecture, string? Variant) platform)
    {
        var oci = Document(ArchiveFormat.OciIndex) is { } indexBytes ? OciImages(ParseIndex(indexBytes, ArchiveFormat.OciIndex), platform) : [];
        if (Document(ArchiveFormat.DockerManifest) is not { } manifestBytes)
        {
            return oci.Count > 0 || Document(ArchiveFormat.OciLayoutFile) is not null ? oci
                : throw new InvalidDataException("not an image archive: it has neither manifest.json (docker save) nor index.json (OCI image layout)");
        }
        return ArchiveFormat.ParseDockerManifest(manifestBytes).Select(entry =>
        {
            var config = Document(entry.Config) ?? throw Missing(ArchiveFormat.DockerManifest, entry.Config);
            var id = Digest.Of(config);
            return new ArchivedImage(config,
                entry.Layers.Select(path => File(path) is { } f ? new ArchivedLayer(f.Digest, f.Size, null) : throw Missing(ArchiveFormat.DockerManifest, path)).ToList(),
                entry.RepoTags ?? [],
                oci.FirstOrDefault(o => Digest.Of(o.Config) == id)?.Manifest);
        }).ToList();
    }

    private List<ArchivedImage> OciImages(ImageIndex index, (string Os, string Architecture, string? Variant) platform)
    {
        var images = new List<ArchivedImage>();
        foreach (var descriptor in index.Manifests)
        {
            var target = descriptor;
            if (MediaTypes.IsIndex(target.MediaType))
            {
                var nested = ParseIndex(Blob(target), target.Digest);
                target = nested.SelectPlatform(platform.Os, platform.Architecture, platform.Variant)
                    ?? throw new InvalidDataException($"index {target.Digest} has no image for {platform.Os}/{platform.Architecture}");
            }
            if (!MediaTypes.IsManifest(target.MediaType) || MediaTypes.IsIndex(target.MediaType))
            {
                throw new InvalidDataException($"index.json: unsupported manifest media type \"{target.MediaType}\"");
            }
            var manifest = ParseManifest(Blob(target), target.Digest);
            var layers = manifest.Layers.Select(l => MediaTypes.IsLayer(l.MediaType)
                ? new ArchivedLayer(Digest.Parse(l.Digest), l.Size, MediaTypes.Normalize(l.MediaType) ?? l.MediaType)
                : throw new InvalidDataException($"manifest {target.Digest}: unsupported layer media type \"{l.MediaType}\"")).ToList();
            foreach (var layer in manifest.Layers) { _ = FileOf(layer); }
            images.Add(new ArchivedImage(Blob(manifest.Config), layers, NameOf(descriptor) is { } name ? [name] : [],
                new ArchivedManifest(Digest.Parse(target.Digest), target.MediaType)));
        }
        return images;
    }

    /// <summary>
    /// The name an index entry gives: Docker's and containerd's full-name annotation, else an OCI
    /// ref name that is a whole reference (skopeo writes those); a bare tag names nothing.
    /// </summary>
    private static string? NameOf(Descriptor descriptor)
    {
        var annotations = descriptor.Annotations ?? new Dictionary<string, string>();
        if (annotations.TryGetValue(ArchiveFormat.ImageNameAnnotation, out var full) && full.Length > 0) { return full; }
        return annotations.TryGetValue(ArchiveFormat.RefNameAnnotation, out var refName) && refName.Contains(':') ? refName : null;
    }

    private static ImageIndex ParseIndex(byte[] bytes, string what)
    {
        try { return ImageIndex.Parse(bytes); }
        catch (Exception e) when (e is not InvalidDataException) { throw new InvalidDataException($"{what} is not an image index: {e.Message}", e); }
    }

    private static ImageManifest ParseManifest(byte[] bytes, string what)
    {
        try { return ImageManifest.Parse(bytes); }
        catch (Exception e) when (e is not InvalidDataException) { throw new InvalidDataException($"manifest {what} is not an image manifest: {e.Message}", e); }
    }

    /// <summary>The bytes of the small blob a descriptor names, checked against its size.</summary>
    private byte[] Blob(Descriptor descriptor)
    {
        var (digest, size) = FileOf(descriptor);
        if (size > ConfigLimit) { throw new InvalidDataException($"blob {digest} is {size} bytes, over the {ConfigLimit}-byte limit for manifests and configurations"); }
        return _blobs.ReadAll(digest);
    }

    private (Digest Digest, long Size) FileOf(Descriptor descriptor)
    {
        if (!Digest.TryParse(descriptor.Digest, out var digest)) { throw new InvalidDataException($"invalid digest \"{descriptor.Digest}\" in the archive's index"); }
        var path = ArchiveFormat.BlobPath(digest);
        var file = File(path) ?? throw Missing(ArchiveFormat.OciIndex, path);
        if (file.Digest != digest && digest.Algorithm == Digest.Sha256) { throw new ContentMismatchException($"{path} does not match its digest"); }
        if (file.Size != descriptor.Size) { throw new ContentMismatchException($"{path} has {file.Size} bytes where its descriptor declares {descriptor.Size}"); }
        return file;
    }

    /// <summary>A small document by archive path (links followed), from memory or the content store.</summary>
    private byte[]? Document(string path)
    {
        path = Resolve(path);
        if (_documents.TryGetValue(path, out var bytes)) { return bytes; }
        if (!_files.TryGetValue(path, out var file)) { return null; }
        if (file.Size > ConfigLimit) { throw new InvalidDataException($"{path} is {file.Size} bytes, too large for a configuration"); }
        return _blobs.ReadAll(file.Digest);
    }

    /// <summary>A file by archive path (links followed) in the content store; small documents are stored on demand.</summary>
    private (Digest Digest, long Size)? File(string path)
    {
        path = Resolve(path);
        if (_files.TryGetValue(path, out var file)) { return file; }
        if (!_documents.TryGetValue(path, out var bytes)) { return null; }
        // A tiny layer (an empty one is 1 KiB) was kept in memory: store it now.
        var written = _blobs.WriteAsync(bytes, CancellationToken.None).GetAwaiter().GetResult();
        _added.Add(written.Digest);
        return _files[path] = written;
    }

    private string Resolve(string path)
    {
        var resolved = Normalize(path) ?? path;
        for (var hops = 0; hops < 16 && _links.TryGetValue(resolved, out var target); hops++) { resolved = target; }
        return resolved;
    }

    private static InvalidDataException Missing(string document, string path) =>
        new($"{document} names \"{path}\", which the archive does not contain");

    private async Task<(Digest, long)> StoreAsync(TarStreamReader reader, string name, long size, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        Digest? expected = name.Split('/') is ["blobs", var algorithm, var hex] && Digest.TryParse($"{algorithm}:{hex}", out var named) ? named : null;
        var existed = expected is { } e && _blobs.Exists(e);
        var id = expected?.Short ?? name[..Math.Min(12, name.Length)];
        await using var content = new CountingStream(new TarEntryStream(reader), n => progress.Report(new TransferProgress(id, "Loading layer", n, size)));
        var written = await _blobs.WriteAsync(content, expected, size, cancellationToken);
        if (!existed) { _added.Add(written.Digest); }
        return written;
    }

    private static async Task<byte[]> ReadAllAsync(TarStreamReader reader, long size, CancellationToken cancellationToken)
    {
        var bytes = new byte[size];
        var at = 0;
        for (var chunk = await reader.ReadDataAsync(cancellationToken); !chunk.IsEmpty; chunk = await reader.ReadDataAsync(cancellationToken))
        {
            chunk.CopyTo(bytes.AsMemory(at));
            at += chunk.Length;
        }
        return bytes;
    }

    /// <summary>An archive path in canonical form ("./a//b" → "a/b"), or null when it climbs out of the archive or names its root.</summary>
    internal static string? Normalize(string path) => LayerPaths.Clean(path) is { Length: > 0 } clean ? clean : null;

    /// <summary>The data of the tar entry the reader stands at, as a stream.</summary>
    private sealed class TarEntryStream(TarStreamReader reader) : ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _pending;

        public override int Read(Span<byte> buffer)
        {
            if (_pending.IsEmpty) { _pending = reader.ReadDataAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult(); }
            return Take(buffer);
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_pending.IsEmpty) { _pending = await reader.ReadDataAsync(cancellationToken); }
            return Take(buffer.Span);
        }

        private int Take(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, _pending.Length);
            _pending.Span[..count].CopyTo(buffer);
            _pending = _pending[count..];
            return count;
        }
    }
}
