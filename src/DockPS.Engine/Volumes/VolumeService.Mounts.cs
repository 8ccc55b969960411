using DockPS.Engine.Native;

namespace DockPS.Engine.Volumes;

/// <summary>What containers need of volumes: mounting on use, filling from an image, and the state a restart finds.</summary>
public sealed partial class VolumeService
{
    private const string StagingName = "_prefill";
    private const string StagingPartName = "_prefill.part";

    // Who holds each volume mounted (container IDs), in memory: after a restart containers that
    // are still running take their references again; a mount found with no holder is kept.
    private readonly Dictionary<string, HashSet<string>> _mounts = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes a volume ready for a container and returns the host path to bind into it. The first
    /// reference mounts what the volume's options name (tmpfs, a host directory, …) on
    /// <c>_data</c>; later ones only count. Taking the same reference twice counts once.
    /// </summary>
    /// <param name="name">The volume.</param>
    /// <param name="referenceId">Who holds it: the container ID.</param>
    /// <param name="cancellationToken">Cancels waiting for other volume changes.</param>
    /// <exception cref="VolumeNotFoundException">No such volume.</exception>
    /// <exception cref="PosixException">The mount failed (the message has the kernel's reason).</exception>
    public async Task<string> MountAsync(string name, string referenceId, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var volume = Get(name);
            var data = MakeDirectories(name);
            if (LocalMountOptions.Parse(name, volume.Options) is { } mount && !MountTable.IsMountPoint(data))
            {
                mount.MountOn(data);
            }
            lock (_mounts)
            {
                if (!_mounts.TryGetValue(name, out var refs)) { _mounts[name] = refs = new HashSet<string>(StringComparer.Ordinal); }
                refs.Add(referenceId);
            }
            return data;
        }
        finally { _writer.Release(); }
    }

    /// <summary>
    /// Drops a reference taken by <see cref="MountAsync"/>; the last one unmounts what the options
    /// mounted (a tmpfs loses its data then, as in Docker). Unknown references are ignored, so a
    /// container may release twice.
    /// </summary>
    public async Task UnmountAsync(string name, string referenceId, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_mounts)
            {
                if (!_mounts.TryGetValue(name, out var refs) || !refs.Remove(referenceId)) { return; }
                if (refs.Count > 0) { return; }
                _mounts.Remove(name);
            }
            if (_store.Get(name) is { Options.Count: > 0 })
            {
                MountTable.UnmountAll(DataPathOf(name));
            }
        }
        finally { _writer.Release(); }
    }

    /// <summary>
    /// Fills an empty volume from a directory of a container's image, as Docker does for a volume
    /// mounted over a path the image has: files, directories, symlinks, hard links and device
    /// nodes with their modes, owners, extended attributes and times, and the volume's root takes
    /// the directory's owner and mode. It happens once per volume: never into a volume that has
    /// anything in it, and never again after it was filled (the record keeps a marker), except
    /// for tmpfs volumes, which start empty at every mount.
    /// </summary>
    /// <remarks>
    /// Call it after <see cref="MountAsync"/> and before the container starts.
    /// <paramref name="sourceDirectory"/> is a host path already resolved inside the container's
    /// root filesystem; symlinks below it are copied as links, never followed. For a plain volume
    /// the copy is made beside <c>_data</c> and moved in only when complete, so a crash never
    /// leaves a volume half filled; a volume with a mount is filled in place.
    /// </remarks>
    /// <returns>True when files were copied; false when the volume was not empty, already filled, or the directory does not exist.</returns>
    /// <exception cref="VolumeNotFoundException">No such volume.</exception>
    /// <exception cref="InvalidOperationException">The volume has mount options and is not mounted.</exception>
    public async Task<bool> PopulateFromAsync(string name, string sourceDirectory, CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var volume = Get(name);
            var mount = LocalMountOptions.Parse(name, volume.Options);
            var data = MakeDirectories(name);
            if (mount is not null && !MountTable.IsMountPoint(data))
            {
                throw new InvalidOperationException($"volume {name} must be mounted (MountAsync) before it is filled");
            }
            volume = FinishStaged(volume);
            if (volume.Populated && mount is not { IsTmpfs: true }) { return false; }
            if (!Posix.TryLStat(sourceDirectory, out var source) || !source.IsDirectory) { return false; }
            if (Directory.EnumerateFileSystemEntries(data).Any()) { return false; }

            await Task.Run(() =>
            {
                if (mount is not null)
                {
                    TreeCopy.CopyContents(sourceDirectory, data, cancellationToken);
                    TreeCopy.CopyOwnerAndMode(sourceDirectory, data);
                    return;
                }
                var part = Path.Combine(_root, name, StagingPartName);
                if (Directory.Exists(part)) { Directory.Delete(part, recursive: true); }
                Posix.MakeDirectory(part, 0b111_000_000);
                TreeCopy.CopyContents(sourceDirectory, part, cancellationToken);
                // The staging folder carries the root's owner and mode, so finishing after a crash knows them.
                TreeCopy.CopyOwnerAndMode(sourceDirectory, part);
                Posix.Rename(part, Path.Combine(_root, name, StagingName));
            }, cancellationToken).ConfigureAwait(false);

            volume = FinishStaged(volume);
            if (mount is not { IsTmpfs: true } && !volume.Populated)
            {
                _store.Update(volume with { Populated = true });
            }
            return true;
        }
        finally { _writer.Release(); }
    }

    /// <summary>
    /// Moves a completed staging copy into <c>_data</c> entry by entry (each a rename: other
    /// containers holding the volume see whole files appear), gives <c>_data</c> the staged root's
    /// owner and mode, marks the volume filled, and drops the staging folder. An unfinished copy is
    /// deleted: the volume was never touched by it.
    /// </summary>
    private VolumeRecord FinishStaged(VolumeRecord volume)
    {
        var dir = Path.Combine(_root, volume.Name);
        var part = Path.Combine(dir, StagingPartName);
        if (Directory.Exists(part)) { Directory.Delete(part, recursive: true); }
        var staged = Path.Combine(dir, StagingName);
        if (!Directory.Exists(staged)) { return volume; }
        var data = DataPathOf(volume.Name);
        foreach (var entry in Directory.EnumerateFileSystemEntries(staged).ToList())
        {
            Posix.Rename(entry, Path.Combine(data, Path.GetFileName(entry)));
        }
        TreeCopy.CopyOwnerAndMode(staged, data);
        var filled = volume with { Populated = true };
        _store.Update(filled);
        Directory.Delete(staged);
        return filled;
    }

    /// <summary>
    /// Brings the volumes folder in line with the records after a start, the stop before having
    /// possibly been a crash: a directory without a record (a create or remove cut short) is
    /// deleted, after unmounting anything in it; a record whose directory is missing gets an
    /// empty one; a fill cut short is completed or dropped. Mounts found on volumes are left
    /// alone: containers may still be running on them.
    /// </summary>
    public void Recover()
    {
        MakeDirectory(_root, RootMode);
        var records = _store.All().ToDictionary(v => v.Name, StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(dir);
            if (records.ContainsKey(name) || !VolumeNames.IsValid(name)) { continue; }
            try
            {
                MountTable.UnmountAll(dir);
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Something is still mounted there: leaving a stray folder beats deleting into a mount.
            }
        }
        foreach (var volume in records.Values)
        {
            MakeDirectories(volume.Name);
            FinishStaged(volume);
        }
    }
}
