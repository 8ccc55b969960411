using DockPS.Engine.Layers;
using DockPS.Registry.Client;

namespace DockPS.Engine.Images;

/// <summary>
/// A layer blob as it comes from a registry, stored as it passes: each read downloads, hashes and
/// writes the bytes to a <see cref="BlobWriter"/> and hands the same bytes on to the unpacker, so
/// a pull reads the network once and unpacks while it downloads. A dropped connection is resumed
/// where it stopped (a Range request), after a short, growing pause; the end of the stream comes
/// only once the blob matched its digest, so an unpack never completes on wrong content.
/// </summary>
internal sealed class BlobDownload(RegistryClient client, string repository, Descriptor blob, BlobWriter writer,
    string shortId, IProgress<TransferProgress> progress, CancellationToken cancellationToken) : ReadOnlyStream
{
    private const int Attempts = 5;
    // Progress lines cost CPU on both ends (a message per read would be thousands): one per
    // half mebibyte, and at most ten a second.
    private const long ReportEvery = 512 * 1024;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);
    private RegistryBlobStream? _source;
    private int _attempt = 1;
    private long _reported;
    private long _reportedAt;

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("BlobDownload is read asynchronously");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken readCancellation = default)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, readCancellation);
        while (true)
        {
            int read;
            try
            {
                _source ??= await client.OpenBlobAsync(repository, blob.Digest, writer.Length, both.Token);
                read = await _source.ReadAsync(buffer, both.Token);
            }
            catch (Exception e) when (e is BlobTransferInterruptedException or HttpRequestException && _attempt < Attempts && !both.IsCancellationRequested)
            {
                await CloseSourceAsync();
                _attempt++;
                progress.Report(new TransferProgress(shortId, $"Retrying from byte {writer.Length} (attempt {_attempt} of {Attempts}): {e.Message}"));
                await Task.Delay(TimeSpan.FromMilliseconds(100 << _attempt), both.Token);
                continue;
            }
            if (read == 0)
            {
                writer.Verify();
                progress.Report(new TransferProgress(shortId, "Download complete"));
                return 0;
            }
            await writer.WriteAsync(buffer[..read], both.Token);
            if (writer.Length - _reported >= ReportEvery && System.Diagnostics.Stopwatch.GetElapsedTime(_reportedAt) >= ReportInterval)
            {
                _reported = writer.Length;
                _reportedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                progress.Report(new TransferProgress(shortId, "Downloading", _reported, blob.Size));
            }
            return read;
        }
    }

    private async Task CloseSourceAsync()
    {
        if (_source is not null) { await _source.DisposeAsync(); }
        _source = null;
    }

    public override async ValueTask DisposeAsync()
    {
        await CloseSourceAsync();
        await base.DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _source?.Dispose(); }
        base.Dispose(disposing);
    }
}
