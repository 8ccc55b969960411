using System.Net;
using System.Net.Http.Headers;

namespace DockPS.Registry.Client;

/// <summary>A manifest as the registry sent it: the exact bytes, their media type and digest.</summary>
/// <param name="Content">The bytes, unchanged: their digest is the manifest's identity.</param>
/// <param name="MediaType">The response's Content-Type without parameters; empty when the registry sent none.</param>
/// <param name="Digest">The sha256 digest of <paramref name="Content"/> (verified against the reference when fetched by digest).</param>
public sealed record RegistryManifest(byte[] Content, string MediaType, string Digest);

public sealed partial class RegistryClient
{
    /// <summary>
    /// Fetches a manifest or index by tag or digest. By digest, the bytes are verified against it;
    /// by tag, a <c>Docker-Content-Digest</c> the registry sends must match the bytes. Whether the
    /// body is JSON of a known type is the caller's to check, with <see cref="RegistryManifest.MediaType"/>.
    /// </summary>
    /// <param name="repository">The repository path.</param>
    /// <param name="reference">A tag or a digest.</param>
    /// <param name="acceptedMediaTypes">The Accept header; <see cref="MediaTypes.AllManifests"/> when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="RegistryNotFoundException">No such manifest or repository.</exception>
    /// <exception cref="ManifestTooLargeException">The body exceeds <see cref="RegistryClientOptions.MaxManifestBytes"/>.</exception>
    /// <exception cref="DigestMismatchException">The bytes do not match the digest asked for or announced.</exception>
    public async Task<RegistryManifest> GetManifestAsync(string repository, string reference,
        IReadOnlyCollection<string>? acceptedMediaTypes = null, CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        ValidateReference(reference);
        var accept = acceptedMediaTypes ?? MediaTypes.AllManifests;
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Get, repository, reference, accept), [Pull(repository)], cancellationToken);
        await EnsureStatusAsync(response, cancellationToken, HttpStatusCode.OK);

        var limit = _options.MaxManifestBytes;
        var content = await HttpBodies.ReadLimitedAsync(response.Content, limit, cancellationToken)
            ?? throw new ManifestTooLargeException(
                $"registry {Registry}: manifest {repository}:{reference} is larger than {limit} bytes; refusing to read it", limit);
        var mediaType = MediaTypes.Normalize(response.Content.Headers.ContentType?.MediaType) ?? "";
        var digest = VerifyDigest(content, reference, response, $"manifest {repository}@{reference}");
        return new RegistryManifest(content, mediaType, digest);
    }

    /// <summary>
    /// The descriptor of a manifest (media type, digest, size) without fetching it, or null when it
    /// does not exist. The digest is the registry's <c>Docker-Content-Digest</c> (or the reference
    /// itself when it is one); it is unverified until the bytes are fetched.
    /// </summary>
    public async Task<Descriptor?> HeadManifestAsync(string repository, string reference,
        IReadOnlyCollection<string>? acceptedMediaTypes = null, CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        ValidateReference(reference);
        var accept = acceptedMediaTypes ?? MediaTypes.AllManifests;
        using var response = await SendAsync(() => ManifestRequest(HttpMethod.Head, repository, reference, accept), [Pull(repository)], cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) { return null; }
        await EnsureStatusAsync(response, cancellationToken, HttpStatusCode.OK);
        var digest = ContentDigest.IsValid(reference) ? reference : HeaderValue(response, "Docker-Content-Digest") ?? "";
        return new Descriptor
        {
            MediaType = MediaTypes.Normalize(response.Content.Headers.ContentType?.MediaType) ?? "",
            Digest = digest,
            Size = response.Content.Headers.ContentLength ?? -1,
        };
    }

    /// <summary>
    /// Uploads a manifest under a tag or digest and returns its digest, after checking that the
    /// registry's <c>Docker-Content-Digest</c> equals the sha256 of <paramref name="content"/>.
    /// </summary>
    /// <exception cref="DigestMismatchException">Pushed by a digest the bytes do not have, or the registry reports another.</exception>
    public async Task<string> PutManifestAsync(string repository, string reference, ReadOnlyMemory<byte> content, string mediaType,
        CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        ValidateReference(reference);
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        var digest = ContentDigest.Compute(content.Span);
        if (ContentDigest.IsValid(reference) && reference != digest)
        {
            throw new DigestMismatchException($"manifest pushed as {reference} has digest {digest}", reference, digest);
        }
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, Api($"v2/{repository}/manifests/{reference}"))
            {
                Content = new ReadOnlyMemoryContent(content),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return request;
        }, [Push(repository)], cancellationToken);
        await EnsureStatusAsync(response, cancellationToken, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Accepted);
        if (HeaderValue(response, "Docker-Content-Digest") is { } reported && reported != digest)
        {
            throw new DigestMismatchException($"registry {Registry} stored manifest {repository}:{reference} as {reported}, but its digest is {digest}", digest, reported);
        }
        return digest;
    }

    /// <summary>
    /// Deletes a manifest by digest (the registry must allow deletes; 2.x answers 405 UNSUPPORTED
    /// otherwise). Tags pointing at it disappear with it.
    /// </summary>
    public async Task DeleteManifestAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        ValidateRepository(repository);
        ContentDigest.Validate(digest, nameof(digest));
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, Api($"v2/{repository}/manifests/{digest}")),
            [$"repository:{repository}:delete"], cancellationToken);
        await EnsureStatusAsync(response, cancellationToken, HttpStatusCode.Accepted, HttpStatusCode.OK, HttpStatusCode.NoContent);
    }

    private HttpRequestMessage ManifestRequest(HttpMethod method, string repository, string reference, IReadOnlyCollection<string> accept)
    {
        var request = new HttpRequestMessage(method, Api($"v2/{repository}/manifests/{reference}"));
        foreach (var type in accept) { request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type)); }
        return request;
    }

    /// <summary>
    /// The digest of fetched bytes: the reference when it is a digest (and the bytes must match it),
    /// else their sha256, which a <c>Docker-Content-Digest</c> header must then equal.
    /// </summary>
    private string VerifyDigest(byte[] content, string reference, HttpResponseMessage response, string what)
    {
        if (ContentDigest.IsValid(reference))
        {
            using var hash = ContentDigest.CreateHash(reference);
            hash.AppendData(content);
            var actual = ContentDigest.Finish(hash, reference);
            if (actual != reference)
            {
                throw new DigestMismatchException($"registry {Registry} sent {what} with digest {actual}", reference, actual);
            }
            return reference;
        }
        var digest = ContentDigest.Compute(content);
        if (HeaderValue(response, "Docker-Content-Digest") is { } reported && ContentDigest.IsValid(reported)
            && reported.StartsWith(ContentDigest.Sha256 + ":", StringComparison.Ordinal) && reported != digest)
        {
            throw new DigestMismatchException($"registry {Registry} announced {what} as {reported} but sent bytes with digest {digest}", reported, digest);
        }
        return digest;
    }

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    private static void ValidateRepository(string repository)
    {
        if (!ImageReference.IsValidRepository(repository))
        {
            throw new ArgumentException($"'{repository}' is not a valid repository name", nameof(repository));
        }
    }

    private static void ValidateReference(string reference)
    {
        if (!ImageReference.IsValidTag(reference) && !ContentDigest.IsValid(reference))
        {
            throw new ArgumentException($"'{reference}' is neither a tag nor a digest", nameof(reference));
        }
    }
}
