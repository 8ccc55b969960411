using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace DockPS.Engine.Layers;

/// <summary>
/// Writes a layer tar as Docker's Go writer does: a plain ustar header when the entry fits one, a
/// PAX header before it only for what does not (long or non-ASCII names, large numbers, xattrs).
/// Output goes through one large buffer and is hashed on the way for the diff ID.
/// </summary>
/// <remarks>
/// Not System.Formats.Tar's TarWriter: it takes PAX values as strings and writes them as UTF-8, so
/// a binary xattr (security.capability) cannot be written byte for byte, and its PAX entries add
/// a PAX header to every entry.
/// </remarks>
internal sealed class TarStreamWriter(Stream output, int bufferSize = TarStreamReader.DefaultBufferSize) : IDisposable
{
    private const int MinimumDataSpan = 64 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<byte> _pax = [];
    private int _length;

    /// <summary>"sha256:&lt;hex&gt;" of everything written (complete after <see cref="FinishAsync"/>).</summary>
    public string DiffId => OciDigest.Format(_hash);

    /// <summary>Writes the entry's header (and a PAX header first when needed). The caller writes the data of a regular file next.</summary>
    public async ValueTask WriteHeaderAsync(TarHeader entry, byte typeFlag, CancellationToken cancellationToken)
    {
        _pax.Clear();
        var name = Encoding.UTF8.GetBytes(entry.Name);
        var link = Encoding.UTF8.GetBytes(entry.LinkName);
        var split = Ascii.IsValid(name) ? UstarSplit(name) : -2;
        if (split == -2) { TarFormat.AppendPaxRecord(_pax, "path", name); }
        if (!Ascii.IsValid(link) || link.Length > TarFormat.NameLength) { TarFormat.AppendPaxRecord(_pax, "linkpath", link); }
        var uidFits = PaxIfTooLarge("uid", entry.Uid, TarFormat.MaxId);
        var gidFits = PaxIfTooLarge("gid", entry.Gid, TarFormat.MaxId);
        var sizeFits = PaxIfTooLarge("size", entry.Size, TarFormat.MaxNumber);
        var mtimeFits = entry.ModifiedSeconds is >= 0 and <= TarFormat.MaxNumber;
        if (!mtimeFits) { TarFormat.AppendPaxRecord(_pax, "mtime", Encoding.ASCII.GetBytes(entry.ModifiedSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))); }
        foreach (var (key, value) in entry.Xattrs) { TarFormat.AppendPaxRecord(_pax, TarFormat.XattrPrefix + key, value); }

        if (_pax.Count > 0)
        {
            await EnsureSpaceAsync(TarFormat.BlockSize, cancellationToken).ConfigureAwait(false);
            var paxHeader = NewBlock();
            "PaxHeader"u8.CopyTo(paxHeader);
            FinishBlock(paxHeader, (byte)'x', mode: 0, uid: 0, gid: 0, size: _pax.Count, mtime: 0);
            await WriteAsync(_pax.ToArray(), cancellationToken).ConfigureAwait(false);
            await PadAsync(_pax.Count, cancellationToken).ConfigureAwait(false);
        }

        await EnsureSpaceAsync(TarFormat.BlockSize, cancellationToken).ConfigureAwait(false);
        var header = NewBlock();
        if (split >= 0)
        {
            name.AsSpan(0, split).CopyTo(header[TarFormat.PrefixOffset..]);
            name.AsSpan(split + 1).CopyTo(header);
        }
        else if (split == -1) { name.CopyTo(header); }
        else { "PaxPathPlaceholder"u8.CopyTo(header); }
        if (link.Length <= TarFormat.NameLength && Ascii.IsValid(link)) { link.CopyTo(header[TarFormat.LinkNameOffset..]); }
        FinishBlock(header, typeFlag, entry.Mode, uidFits ? entry.Uid : 0, gidFits ? entry.Gid : 0,
            sizeFits ? entry.Size : 0, mtimeFits ? entry.ModifiedSeconds : 0);
    }

    /// <summary>Free buffer space for file data, at least 64 KiB (flushing first if needed); commit what was filled with <see cref="Advance"/>.</summary>
    public async ValueTask<Memory<byte>> GetDataBufferAsync(CancellationToken cancellationToken)
    {
        await EnsureSpaceAsync(MinimumDataSpan, cancellationToken).ConfigureAwait(false);
        return _buffer.AsMemory(_length);
    }

    /// <summary>Commits bytes written into the span from <see cref="GetDataBufferAsync"/>.</summary>
    public void Advance(int count) => _length += count;

    /// <summary>Zeros up to the next 512-byte boundary after <paramref name="dataLength"/> bytes of data.</summary>
    public async ValueTask PadAsync(long dataLength, CancellationToken cancellationToken)
    {
        var padding = (int)TarFormat.Padding(dataLength);
        await EnsureSpaceAsync(padding, cancellationToken).ConfigureAwait(false);
        _buffer.AsSpan(_length, padding).Clear();
        _length += padding;
    }

    /// <summary>Writes the end-of-archive marker (two zero blocks) and flushes everything.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        await EnsureSpaceAsync(2 * TarFormat.BlockSize, cancellationToken).ConfigureAwait(false);
        _buffer.AsSpan(_length, 2 * TarFormat.BlockSize).Clear();
        _length += 2 * TarFormat.BlockSize;
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _hash.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }

    /// <summary>Where to split a name into ustar prefix and name: -1 if it fits whole, -2 if it cannot fit.</summary>
    private static int UstarSplit(ReadOnlySpan<byte> name)
    {
        if (name.Length <= TarFormat.NameLength) { return -1; }
        var last = Math.Min(name.Length - 2, TarFormat.PrefixLength);
        for (var i = last; i >= name.Length - 1 - TarFormat.NameLength && i > 0; i--)
        {
            if (name[i] == '/') { return i; }
        }
        return -2;
    }

    private bool PaxIfTooLarge(string key, long value, long max)
    {
        if (value <= max) { return true; }
        TarFormat.AppendPaxRecord(_pax, key, Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return false;
    }

    private Span<byte> NewBlock()
    {
        var block = _buffer.AsSpan(_length, TarFormat.BlockSize);
        block.Clear();
        return block;
    }

    private void FinishBlock(Span<byte> header, byte typeFlag, uint mode, long uid, long gid, long size, long mtime)
    {
        TarFormat.WriteOctal(header.Slice(TarFormat.ModeOffset, TarFormat.IdLength), mode);
        TarFormat.WriteOctal(header.Slice(TarFormat.UidOffset, TarFormat.IdLength), uid);
        TarFormat.WriteOctal(header.Slice(TarFormat.GidOffset, TarFormat.IdLength), gid);
        TarFormat.WriteOctal(header.Slice(TarFormat.SizeOffset, TarFormat.NumberLength), size);
        TarFormat.WriteOctal(header.Slice(TarFormat.MtimeOffset, TarFormat.NumberLength), mtime);
        header[TarFormat.TypeOffset] = typeFlag;
        TarFormat.PosixMagic.CopyTo(header[TarFormat.MagicOffset..]);
        TarFormat.WriteChecksum(header);
        _length += TarFormat.BlockSize;
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            if (_length == _buffer.Length) { await FlushAsync(cancellationToken).ConfigureAwait(false); }
            var count = Math.Min(data.Length, _buffer.Length - _length);
            data.Span[..count].CopyTo(_buffer.AsSpan(_length));
            _length += count;
            data = data[count..];
        }
    }

    private async ValueTask EnsureSpaceAsync(int count, CancellationToken cancellationToken)
    {
        if (_buffer.Length - _length < count) { await FlushAsync(cancellationToken).ConfigureAwait(false); }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (_length == 0) { return; }
        _hash.AppendData(_buffer, 0, _length);
        await output.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        _length = 0;
    }
}
