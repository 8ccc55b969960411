using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;

namespace DockPS.Registry.Client;

/// <summary>What <see cref="RegistryClient.PushBlobAsync"/> had to do.</summary>
public enum BlobPushResult
{
    /// <summary>The bytes were uploaded.</summary>
    Uploaded,
    /// <summary>The repository already had the blob; nothing was sent.</summary>
    AlreadyExists,
    /// <summary>The registry linked the blob from the mount source repository; nothing was sent.</summary>
    Mounted,
}

/// <summary>Optional behaviour of one blob push.</summary>
public sealed class PushBlobOptions
{
    /// <summary>A repository of the same registry that may hold the blob: tried as a cross-repository mount first.</summary>
    public string? MountFrom { get; init; }

    /// <summary>Receives the blob offset uploaded so far (it can step back when a chunk is resent).</summary>
    public IProgress<long>? Progress { get; init; }
}

public sealed partial class RegistryClient
{
    private static readonly MediaTypeHeaderValue OctetStream = new("application/octet-stream");

    /// <summary>
    /// Makes the blob present in the repository: a cross-repository mount when
    /// <see cref="PushBlobOptions.MountFrom"/> is given, nothing when a HEAD finds it, else an
    /// upload — one PUT up to <see cref="RegistryClientOptions.MonolithicUploadLimit"/>, PATCH
    /// chunks beyond, each failed chunk resumed from the offset the registry reports.
    /// </summary>
    /// <param name="repository">The repository to push to.</param>
    /// <param name="digest">The blob's digest (the registry verifies it; so does the reply check).</param>
    /// <param name="size">The blob's size in bytes.</param>
    /// <param name="open">Opens the blob's bytes from an offset; called again to resume after a failure.</param>
    /// <param name="options">Mount source and progress.</param>
    /// <param name="cancellationToken">Cancels the push; the upload session is then cancelled on the registry.</param>
    /// <exception cref="DigestMismatchException">The registry reports a different digest for what it stored.</exception>
    public async Task<BlobPushResult> PushBlobAsync(string repository, string digest, long size, Func<long, Stream> open,
        PushBlobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        ContentDigest.Validate(digest, nameof(digest));
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(open);
        options ??= new PushBlobOptions();
        if (options.MountFrom is { } from) { ValidateRepository(from); }
        IReadOnlyList<string> scopes = options.MountFrom is { } source && source != repository
            ? [Push(repository), Pull(source)] : [Push(repository)];

        Uri? session = null;
        if (options.MountFrom is { } mountFrom)
        {
            var query = $"?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(mountFrom)}";
            using var mount = await SendAsync(() => StartUploadRequest(repository, query), scopes, cancellationToken);
            if (mount.StatusCode == HttpStatusCode.Created)
            {
                VerifyStoredDigest(mount, digest);
                options.Progress?.Report(size);
                return BlobPushResult.Mounted;
            }
            await EnsureStatusAsync(mount, cancellationToken, HttpStatusCode.Accepted);
            session = NextLocation(mount); // the registry fell back to an ordinary upload session
        }

        if (await HeadBlobAsync(repository, digest, scopes, cancellationToken) is not null)
        {
            if (session is not null) { await CancelUploadAsync(session, scopes); }
            options.Progress?.Report(size);
            return BlobPushResult.AlreadyExists;
        }

        session ??= await StartSessionAsync(repository, scopes, cancellationToken);

        using var content = new UploadSource(open, options.Progress);
        try
        {
            if (size > _options.MonolithicUploadLimit)
            {
                session = await UploadChunksAsync(session, size, content, scopes,
                    () => StartSessionAsync(repository, scopes, cancellationToken), cancellationToken);
                content.Release(); // the closing PUT below carries no body
            }
            var closing = session;
            using var done = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(closing, digest))
            {
                Content = size > _options.MonolithicUploadLimit ? EmptyBody() : content.Slice(0, size),
            }, scopes, cancellationToken);
            await EnsureStatusAsync(done, cancellationToken, HttpStatusCode.Created);
            VerifyStoredDigest(done, digest);
            return BlobPushResult.Uploaded;
        }
        catch
        {
            await CancelUploadAsync(session, scopes);
            throw;
        }
    }

    private async Task<Uri> StartSessionAsync(string repository, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        using var start = await SendAsync(() => StartUploadRequest(repository, ""), scopes, ct);
        await EnsureStatusAsync(start, ct, HttpStatusCode.Accepted);
        return NextLocation(start);
    }

    /// <summary>
    /// PATCHes the blob in chunks and returns the session location to close the upload at. After
    /// a failed chunk it asks the registry how far the session got and goes on from there; when
    /// the registry cannot say (the 2.x reference registry forgets a session whose last chunk
    /// arrived in part), it starts a new session from byte 0 via <paramref name="restart"/>.
    /// </summary>
    private async Task<Uri> UploadChunksAsync(Uri location, long size, UploadSource source, IReadOnlyList<string> scopes,
        Func<Task<Uri>> restart, CancellationToken ct)
    {
        long offset = 0;
        var failures = 0; // in a row; a chunk that goes through resets it
        var restarts = 0; // never reset, so a registry that always fails mid-blob cannot loop forever
        while (offset < size)
        {
            var start = offset;
            var length = Math.Min(_options.ChunkSize, size - offset);
            var target = location;
            Exception failure;
            try
            {
                using var response = await SendAsync(() =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Patch, target) { Content = source.Slice(start, length) };
                    // The spec's Content-Range for uploads has no unit ("0-1023"), unlike RFC 9110's.
                    request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{start + length - 1}");
                    return request;
                }, scopes, ct);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    location = NextLocation(response);
                    offset = UploadedBytes(response) ?? start + length;
                    failures = 0;
                    continue;
                }
                if (response.StatusCode != HttpStatusCode.RequestedRangeNotSatisfiable && (int)response.StatusCode < 500)
                {
                    throw await ErrorAsync(response, ct);
                }
                failure = await ErrorAsync(response, ct);
            }
            catch (RegistryConnectionException e)
            {
                failure = e;
            }
            if (++failures > _options.MaxChunkRetries)
            {
                ExceptionDispatchInfo.Throw(failure);
            }
            // The chunk may have been stored in part: ask the registry how far it got.
            source.Release();
            try
            {
                (offset, location) = await UploadStatusAsync(location, scopes, ct);
            }
            catch (RegistryNotFoundException) when (++restarts <= _options.MaxChunkRetries)
            {
                (offset, location) = (0, await restart());
            }
        }
        return location;
    }

    private async Task<(long Offset, Uri Location)> UploadStatusAsync(Uri location, IReadOnlyList<string> scopes, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, location), scopes, ct);
        await EnsureStatusAsync(response, ct, HttpStatusCode.NoContent, HttpStatusCode.OK);
        return (UploadedBytes(response) ?? 0, NextLocation(response));
    }

    // Best effort: a session left open only costs the registry disk until its purge runs.
    private async Task CancelUploadAsync(Uri session, IReadOnlyList<string> scopes)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, session), scopes, timeout.Token);
        }
        catch (Exception e) when (e is RegistryException or OperationCanceledException) { }
    }

    private HttpRequestMessage StartUploadRequest(string repository, string query) =>
        new(HttpMethod.Post, Api($"v2/{repository}/blobs/uploads/{query}")) { Content = EmptyBody() };

    private static ByteArrayContent EmptyBody() => new([]);

    /// <summary>The upload URL a response names; Location may be relative to the request or absolute.</summary>
    private Uri NextLocation(HttpResponseMessage response) =>
        response.Headers.Location is { } location
            ? new Uri(response.RequestMessage!.RequestUri!, location)
            : throw new RegistryException($"registry {Registry}: {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode} without a Location", response.StatusCode);

    /// <summary>How many bytes an upload session holds, from its <c>Range: 0-&lt;last&gt;</c> header (inclusive end).</summary>
    private static long? UploadedBytes(HttpResponseMessage response)
    {
        if (HeaderValue(response, "Range") is not { } range) { return null; }
        var value = range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) ? range[6..] : range;
        var dash = value.IndexOf('-');
        if (dash < 0 || !long.TryParse(value[(dash + 1)..], out var last)) { return null; }
        // "0-0" is what the reference registry reports for an empty session.
        return last == 0 ? 0 : last + 1;
    }

    private static Uri WithDigest(Uri location, string digest)
    {
        var builder = new UriBuilder(location);
        var query = builder.Query.TrimStart('?');
        builder.Query = (query.Length > 0 ? query + "&" : "") + "digest=" + Uri.EscapeDataString(digest);
        return builder.Uri;
    }

    private void VerifyStoredDigest(HttpResponseMessage response, string digest)
    {
        if (HeaderValue(response, "Docker-Content-Digest") is { } reported && reported != digest)
        {
            throw new DigestMismatchException($"registry {Registry} stored blob {digest} as {reported}", digest, reported);
        }
    }
}
