using System.Collections.Concurrent;
using System.Security.Cryptography;
using DockPS.Registry.Client;

namespace DockPS.Registry.Server;

/// <summary>Where an upload stands: its id, repository and bytes received so far.</summary>
public sealed record UploadStatus(string Id, string Repository, long Offset);

/// <summary>
/// Blob upload sessions. Each is a folder under <c>uploads/</c> with the bytes received so far and
/// the repository it belongs to, so a session survives a restart. A sha256 of the bytes is kept
/// in memory while the process lives, so closing a large upload does not read it back; after a
/// restart, or for a sha512 digest, the file is hashed once at the close. Requests on one session
/// are serialized; sessions are independent.
/// </summary>
public sealed class UploadSessions
{
    private readonly RegistryStorage _storage;
    private readonly ConcurrentDictionary<string, Session> _live = new();

    /// <summary>Sessions kept in <paramref name="storage"/>'s uploads folder.</summary>
    public UploadSessions(RegistryStorage storage) => _storage = storage;

    /// <summary>Starts a session for <paramref name="name"/>.</summary>
    public UploadStatus Start(string name)
    {
        RepositoryName.Validate(name);
        var id = Guid.NewGuid().ToString();
        var folder = Folder(id);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "repository"), name);
        File.Create(Path.Combine(folder, "data")).Dispose();
        return new UploadStatus(id, name, 0);
    }

    /// <summary>The session's status; BLOB_UPLOAD_UNKNOWN when it is not one of <paramref name="name"/>'s.</summary>
    public UploadStatus Status(string name, string id)
    {
        var session = Open(name, id);
        lock (session) { return new UploadStatus(id, name, session.Offset); }
    }

    /// <summary>
    /// Appends a chunk. With <paramref name="rangeStart"/> (from Content-Range) the chunk must
    /// start where the upload stands, else 416 and nothing changes; with <paramref name="rangeEnd"/>
    /// the chunk must be exactly that long. A chunk cut short is taken back entirely.
    /// </summary>
    public async Task<UploadStatus> AppendAsync(string name, string id, Stream body, long? rangeStart, long? rangeEnd, CancellationToken cancel)
    {
        var session = Open(name, id);
        await session.Gate.WaitAsync(cancel);
        try
        {
            if (rangeStart is { } start && start != session.Offset)
            {
                throw new DistributionException(DistributionErrorCode.RangeInvalid,
                    $"the chunk starts at {start}; the upload has {session.Offset} bytes", $"0-{Math.Max(session.Offset - 1, 0)}");
            }
            var before = session.Offset;
            try
            {
                await using var data = new FileStream(DataPath(id), FileMode.Open, FileAccess.Write, FileShare.Read, 1, FileOptions.Asynchronous);
                data.Seek(before, SeekOrigin.Begin);
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await body.ReadAsync(buffer, cancel)) > 0)
                {
                    await data.WriteAsync(buffer.AsMemory(0, read), cancel);
                    session.Hash?.AppendData(buffer, 0, read);
                    session.Offset += read;
                }
                if (rangeEnd is { } end && end - before + 1 != session.Offset - before)
                {
                    throw new DistributionException(DistributionErrorCode.SizeInvalid,
                        $"Content-Range says {end - before + 1} bytes; the chunk had {session.Offset - before}");
                }
                await data.FlushAsync(cancel);
            }
            catch
            {
                // Take the whole chunk back: the client resends it from the offset GET reports.
                using (var data = new FileStream(DataPath(id), FileMode.Open, FileAccess.Write)) { data.SetLength(before); }
                session.Offset = before;
                session.Hash?.Dispose();
                session.Hash = null;
                throw;
            }
            return new UploadStatus(id, name, session.Offset);
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>
    /// Closes a session: verifies the bytes against <paramref name="digest"/> and commits the blob.
    /// A mismatch is DIGEST_INVALID and discards the session, so nothing of it stays stored.
    /// </summary>
    public async Task<StoredBlob> CompleteAsync(string name, string id, string? digest, CancellationToken cancel)
    {
        RegistryStorage.RequireDigest(digest);
        var session = Open(name, id);
        await session.Gate.WaitAsync(cancel);
        try
        {
            var data = DataPath(id);
            string actual;
            if (session.Hash is { } hash && digest!.StartsWith(ContentDigest.Sha256 + ":", StringComparison.Ordinal))
            {
                actual = ContentDigest.Finish(hash, digest);
            }
            else
            {
                using var full = ContentDigest.CreateHash(digest!);
                await using var stream = new FileStream(data, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous | FileOptions.SequentialScan);
                var buffer = new byte[1 << 20];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancel)) > 0) { full.AppendData(buffer, 0, read); }
                actual = ContentDigest.Finish(full, digest!);
            }
            if (actual != digest)
            {
                Discard(id);
                throw new DistributionException(DistributionErrorCode.DigestInvalid,
                    "the uploaded content does not match the digest", digest);
            }
            using (var stream = new FileStream(data, FileMode.Open, FileAccess.ReadWrite)) { stream.Flush(flushToDisk: true); }
            var blob = _storage.CommitBlob(name, digest!, data);
            Discard(id);
            return blob;
        }
        finally
        {
            session.Gate.Release();
        }
    }

    /// <summary>Cancels a session and deletes what it received.</summary>
    public void Cancel(string name, string id)
    {
        _ = Open(name, id);
        Discard(id);
    }

    private void Discard(string id)
    {
        if (_live.TryRemove(id, out var session)) { session.Hash?.Dispose(); }
        try { Directory.Delete(Folder(id), recursive: true); }
        catch (DirectoryNotFoundException) { /* cancelled twice */ }
    }

    private Session Open(string name, string id)
    {
        RepositoryName.Validate(name);
        // Ids are GUIDs this registry made; anything else could be a path and is unknown.
        if (!Guid.TryParseExact(id, "D", out _) || !File.Exists(DataPath(id))
            || File.ReadAllText(Path.Combine(Folder(id), "repository")) != name)
        {
            throw new DistributionException(DistributionErrorCode.BlobUploadUnknown, "blob upload unknown to registry", id);
        }
        return _live.GetOrAdd(id, key =>
        {
            // Known only on disk (the registry restarted): resume at its length, hash at the close.
            var length = new FileInfo(DataPath(key)).Length;
            return new Session { Offset = length, Hash = length == 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null };
        });
    }

    private string Folder(string id) => Path.Combine(_storage.UploadsFolder, id);

    private string DataPath(string id) => Path.Combine(Folder(id), "data");

    private sealed class Session
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public long Offset { get; set; }
        public IncrementalHash? Hash { get; set; }
    }
}
