using DockPS.Engine.Layers;

namespace DockPS.Engine.Archives;

/// <summary>Writes the plain files and directories of an image archive (deterministic: root-owned, mtime 0).</summary>
internal sealed class ArchiveTarWriter(Stream output) : IDisposable
{
    private readonly TarStreamWriter _tar = new(output);
    private readonly TarHeader _header = new();

    public ValueTask AddDirectoryAsync(string name, CancellationToken cancellationToken)
    {
        Reset(name.TrimEnd('/') + "/", 0x1ED, 0);
        return _tar.WriteHeaderAsync(_header, (byte)'5', cancellationToken);
    }

    /// <summary>Adds a file of <paramref name="size"/> bytes read from <paramref name="content"/>.</summary>
    /// <exception cref="IOException">The content ends early.</exception>
    public async ValueTask AddFileAsync(string name, Stream content, long size, CancellationToken cancellationToken)
    {
        Reset(name, 0x1A4, size);
        await _tar.WriteHeaderAsync(_header, (byte)'0', cancellationToken);
        long written = 0;
        while (written < size)
        {
            var buffer = await _tar.GetDataBufferAsync(cancellationToken);
            var read = await content.ReadAsync(buffer[..(int)Math.Min(buffer.Length, size - written)], cancellationToken);
            if (read == 0) { throw new IOException($"{name} ended after {written} of its {size} bytes"); }
            _tar.Advance(read);
            written += read;
        }
        await _tar.PadAsync(size, cancellationToken);
    }

    public ValueTask AddFileAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        AddFileAsync(name, new MemoryStream(content.ToArray(), writable: false), content.Length, cancellationToken);

    /// <summary>Ends the archive and flushes it.</summary>
    public ValueTask FinishAsync(CancellationToken cancellationToken) => _tar.FinishAsync(cancellationToken);

    public void Dispose() => _tar.Dispose();

    private void Reset(string name, uint mode, long size)
    {
        _header.Name = name;
        _header.LinkName = "";
        _header.Mode = mode;
        _header.Uid = _header.Gid = 0;
        _header.Size = size;
        _header.ModifiedSeconds = 0;
        _header.ModifiedNanoseconds = 0;
        _header.Xattrs.Clear();
    }
}
