using DockPS.Engine.Events;
using DockPS.Engine.Filters;
using DockPS.Engine.Snapshots;
using DockPS.Registry.Client;

namespace DockPS.Engine.Images;

/// <summary>
/// The image half of the engine: finding images by name or ID, listing, tagging, removing and
/// pruning them. Import, load, save, pull and push live beside it and share its stores.
/// Mutations are serialized: images are few and changes rare, and one writer keeps refcounts,
/// names and snapshots consistent without further locking.
/// </summary>
public sealed partial class ImageService(ImageStore store, ContentStore blobs, SnapshotStore snapshots, EventLog events)
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private IImageUsers _users = NoImageUsers.Instance;

    /// <summary>
    /// Which containers use which image. Containers set their implementation once at startup;
    /// until then no image is in use.
    /// </summary>
    public IImageUsers Users
    {
        get => Volatile.Read(ref _users);
        set => Volatile.Write(ref _users, value ?? NoImageUsers.Instance);
    }

    /// <summary>The metadata of images and layers.</summary>
    public ImageStore Store => store;

    /// <summary>The blobs.</summary>
    public ContentStore Blobs => blobs;

    /// <summary>The unpacked layers.</summary>
    public SnapshotStore Snapshots => snapshots;

    /// <summary>
    /// The image <paramref name="nameOrId"/> refers to, resolved as dockerd does: a full ID
    /// (<c>sha256:…</c>), then a name (<c>name[:tag]</c>, <c>name@digest</c>; no tag means
    /// <c>latest</c>), then a unique ID prefix of at least one hex digit.
    /// </summary>
    /// <exception cref="ImageNotFoundException">Nothing matches, or a short ID matches several images.</exception>
    public ImageRecord Find(string nameOrId)
    {
        if (Digest.TryParse(nameOrId, out var full))
        {
            return store.Get(full) ?? throw new ImageNotFoundException(nameOrId);
        }
        if (ImageReference.TryParse(nameOrId, out var reference, out _) && store.FindByName(LocalName(reference)) is { } named)
        {
            return store.Get(named) ?? throw new ImageNotFoundException(nameOrId);
        }
        if (nameOrId.Length is > 0 and <= 64 && nameOrId.All(char.IsAsciiHexDigitLower))
        {
            var matches = store.FindByIdPrefix(nameOrId);
            if (matches.Count == 1) { return store.Get(matches[0]) ?? throw new ImageNotFoundException(nameOrId); }
        }
        throw new ImageNotFoundException(nameOrId);
    }

    /// <summary>
    /// The name under which a reference is stored: <c>name@digest</c> when it has a digest,
    /// else <c>name:tag</c> (<c>latest</c> when untagged).
    /// </summary>
    public static string LocalName(ImageReference reference) =>
        reference.Digest is { } digest ? $"{reference.Name}@{digest}" : $"{reference.Name}:{reference.Tag ?? ImageReference.DefaultTag}";

    /// <summary>Images passing Docker's list filters: dangling, label, reference, before, since.</summary>
    /// <param name="filters">Filter arguments, validated here.</param>
    public IReadOnlyList<ImageRecord> List(FilterSet filters)
    {
        filters.Validate(ListFilterKeys);
        var images = store.All();
        var before = filters.Get("before").Select(r => Find(r).Created).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var since = filters.Get("since").Select(r => Find(r).Created).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        var dangling = filters.Get("dangling").Select(v => v.ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw new FilterException($"invalid filter 'dangling={v}'"),
        }).ToList();
        return images.Where(i =>
            (dangling.Count == 0 || dangling.Contains(i.Dangling)) &&
            filters.MatchLabels("label", i.Config.Config.Labels) &&
            (!filters.Contains("reference") || filters.Get("reference").Any(pattern => i.RepoTags.Concat(i.RepoDigests).Any(n => MatchReference(pattern, n)))) &&
            i.Created < before && i.Created > since).ToList();
    }

    private static readonly IReadOnlySet<string> ListFilterKeys = new HashSet<string> { "dangling", "label", "reference", "before", "since" };

    /// <summary>Docker's reference filter: a glob over the full name or the name without its tag.</summary>
    internal static bool MatchReference(string pattern, string name)
    {
        var bare = name.Contains('@') ? name[..name.IndexOf('@')] : name.LastIndexOf(':') > name.LastIndexOf('/') ? name[..name.LastIndexOf(':')] : name;
        return Glob(pattern, name) || Glob(pattern, bare);
    }

    private static bool Glob(string pattern, string text) =>
        System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, text, ignoreCase: false) &&
        // '*' must not cross '/', as in Docker's path.Match.
        pattern.Count(c => c == '/') == text.Count(c => c == '/');

    /// <summary>Gives <paramref name="source"/> the additional name <paramref name="target"/>.</summary>
    /// <exception cref="InvalidImageReferenceException">The target is not a valid name, or carries a digest.</exception>
    public async Task<ImageRecord> TagAsync(string source, string target, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(target);
        if (reference.Digest is not null) { throw new InvalidImageReferenceException(target, "a tag cannot contain a digest"); }
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var image = Find(source);
            var name = LocalName(reference);
            store.SetName(name, "tag", image.Id);
            events.Publish(EventTypes.Image, "tag", image.Id.ToString(), new Dictionary<string, string> { ["name"] = name });
            return store.Get(image.Id)!;
        }
        finally { _writer.Release(); }
    }

    /// <summary>
    /// Removes a name, and the image with its unused layers and blobs once no name is left.
    /// Removing by ID (or with <paramref name="force"/>) removes every name of the image; an ID
    /// that several names share needs <paramref name="force"/>, as in Docker. An image containers
    /// are made from is Docker's conflict: its last name goes only with <paramref name="force"/>,
    /// and the image itself stays (dangling) while any container uses it, since their roots are
    /// its layers; an ID used by a running container cannot be removed even by force.
    /// </summary>
    /// <returns>What happened, in Docker's order: untagged names, then deleted IDs.</returns>
    public async Task<IReadOnlyList<RemovedImage>> RemoveAsync(string nameOrId, bool force, CancellationToken cancellationToken)
    {
        await BlobsSettledAsync();
        await _writer.WaitAsync(cancellationToken);
        try
        {
            var image = Find(nameOrId);
            var names = image.RepoTags.Concat(image.RepoDigests).ToList();
            var byName = ImageReference.TryParse(nameOrId, out var reference, out _) && names.Contains(LocalName(reference));
            var removed = new List<RemovedImage>();
            // By name, only that name goes while other tags remain; the last tag takes digest names along.
            if (byName && !force && image.RepoTags.Any(t => t != LocalName(reference!)))
            {
                Untag(image, LocalName(reference!), removed);
                return removed;
            }
            if (!byName && !force && image.RepoTags.Count > 1)
            {
                throw new ImageConflictException(
                    $"conflict: unable to delete {image.Id.Short} (must be forced) - image is referenced in multiple repositories");
            }
            var users = Users.ContainersUsing(image.Id);
            var runner = users.FirstOrDefault(u => u.Running);
            if (!byName && runner is not null)
            {
                throw new ImageConflictException(
                    $"conflict: unable to delete {image.Id.Short} (cannot be forced) - image is being used by running container {Short(runner.ContainerId)}");
            }
            if (users.Count > 0 && !force)
            {
                throw new ImageConflictException(byName
                    ? $"conflict: unable to remove repository reference \"{nameOrId}\" (must force) - container {Short((runner ?? users[0]).ContainerId)} is using its referenced image {image.Id.Short}"
                    : $"conflict: unable to delete {image.Id.Short} (must be forced) - image is being used by stopped container {Short(users[0].ContainerId)}");
            }
            foreach (var name in names) { Untag(image, name, removed); }
            if (users.Count == 0) { removed.AddRange(Delete(image)); }
            return removed;
        }
        finally { _writer.Release(); }
    }

    private static string Short(string containerId) => containerId.Length > 12 ? containerId[..12] : containerId;

    private void Untag(ImageRecord image, string name, List<RemovedImage> removed)
    {
        store.RemoveName(name);
        removed.Add(new RemovedImage(Untagged: name, Deleted: null));
        events.Publish(EventTypes.Image, "untag", image.Id.ToString(), new Dictionary<string, string> { ["name"] = name });
    }

    /// <summary>Deletes an image record, then snapshots and blobs nothing else uses.</summary>
    private List<RemovedImage> Delete(ImageRecord image)
    {
        var orphans = store.Delete(image.Id);
        foreach (var chain in orphans) { snapshots.Remove(chain); }
        foreach (var layer in image.Layers.Where(l => orphans.Contains(l.ChainId)))
        {
            foreach (var blob in store.ForgetLayerBlobs(layer.DiffId)) { blobs.Delete(blob); }
        }
        if (store.Get(image.Id) is null)
        {
            blobs.Delete(image.Id);
            if (image.ManifestDigest is { } manifest) { blobs.Delete(manifest); }
        }
        events.Publish(EventTypes.Image, "delete", image.Id.ToString(), new Dictionary<string, string> { ["name"] = image.Id.ToString() });
        return [new RemovedImage(Untagged: null, Deleted: image.Id.ToString())];
    }

    /// <summary>
    /// Removes dangling images, or with the filter <c>dangling=false</c> every image, that no container uses.
    /// Filters: <c>label</c>, <c>label!</c>, <c>until</c>, <c>dangling</c>.
    /// </summary>
    public async Task<(IReadOnlyList<RemovedImage> Removed, long SpaceReclaimed)> PruneAsync(FilterSet filters, CancellationToken cancellationToken)
    {
        filters.Validate(PruneFilterKeys);
        var all = filters.Get("dangling").Any(v => v is "false" or "0");
        var until = filters.Until(DateTimeOffset.UtcNow);
        var removed = new List<RemovedImage>();
        long reclaimed = 0;
        await BlobsSettledAsync();
        await _writer.WaitAsync(cancellationToken);
        try
        {
            foreach (var image in store.All())
            {
                if (!all && !image.Dangling) { continue; }
                if (image.Created >= until || Users.ContainersUsing(image.Id).Count > 0) { continue; }
                if (!filters.MatchLabels("label", image.Config.Config.Labels)) { continue; }
                if (!filters.MatchNoLabel("label!", image.Config.Config.Labels)) { continue; }
                foreach (var name in image.RepoTags.Concat(image.RepoDigests)) { Untag(image, name, removed); }
                removed.AddRange(Delete(image));
                reclaimed += image.Size;
            }
        }
        finally { _writer.Release(); }
        events.Publish(EventTypes.Image, "prune", "", new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString() });
        return (removed, reclaimed);
    }

    private static readonly IReadOnlySet<string> PruneFilterKeys = new HashSet<string> { "dangling", "label", "label!", "until" };

    /// <summary>The image's history, newest first, with each step's layer ID and size (Docker's shape).</summary>
    public static IReadOnlyList<HistoryStep> History(ImageRecord image)
    {
        var steps = new List<HistoryStep>();
        var layer = 0;
        var entries = image.Config.History.Count > 0 ? image.Config.History : image.Layers.Select(_ => new HistoryEntry()).ToList();
        foreach (var entry in entries)
        {
            var empty = entry.EmptyLayer == true;
            var size = !empty && layer < image.Layers.Count ? image.Layers[layer++].Size : 0;
            steps.Add(new HistoryStep(entry, size));
        }
        steps.Reverse();
        return steps;
    }
}

/// <summary>One line of an image removal report: a name removed, or an image deleted.</summary>
public sealed record RemovedImage(string? Untagged, string? Deleted);

/// <summary>One step of an image's history and the size of the layer it made.</summary>
public sealed record HistoryStep(HistoryEntry Entry, long Size);
