using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace DockPS.Engine.Layers;

/// <summary>
/// Reads a layer tar (ustar, PAX, GNU long names, base-256 numbers) from a forward-only stream
/// through one large buffer, optionally hashing every byte for the diff ID.
/// </summary>
/// <remarks>
/// Not System.Formats.Tar's TarReader: it decodes PAX values as UTF-8 text, so binary xattr values
/// (security.capability with a byte ≥ 0x80) come back altered and a value holding a newline byte
/// makes it reject the whole archive. Layers carry such values, and GNU tar, Go and Docker keep
/// them byte for byte; so does this reader. Entry data is handed out as slices of the buffer, so
/// files stream from decompressor to disk with one copy and no per-entry allocations beyond names.
/// </remarks>
internal sealed class TarStreamReader(Stream source, IncrementalHash? hash, int bufferSize = TarStreamReader.DefaultBufferSize) : IDisposable
{
    public const int DefaultBufferSize = 1024 * 1024;

    // Go's archive/tar caps PAX and GNU long-name data at 1 MiB for the same reason: it is held in memory.
    private const int MaxExtensionSize = 512 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bufferSize, 2 * MaxExtensionSize));
    private readonly List<KeyValuePair<string, byte[]>> _pendingXattrs = [];
    private int _start, _end;
    private long _offset, _remaining, _padding;
    private bool _sourceEnded, _archiveEnded, _sawHeader, _pending;
    private string? _pendingName, _pendingLink;
    private long? _pendingSize, _pendingUid, _pendingGid;
    private (long Seconds, uint Nanoseconds)? _pendingMtime;

    /// <summary>The entry <see cref="MoveNextAsync"/> stopped at.</summary>
    public TarHeader Current { get; } = new();

    private int Available => _end - _start;

    /// <summary>Advances to the next entry (skipping what is left of this one's data); false at the end of the archive.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        if (_archiveEnded) { return false; }
        await SkipAsync(_remaining + _padding, cancellationToken).ConfigureAwait(false);
        _remaining = _padding = 0;
        while (true)
        {
            if (!await FillAsync(TarFormat.BlockSize, cancellationToken).ConfigureAwait(false))
            {
                // Like Go's reader (so Docker), accept a tar that stops cleanly between entries without its
                // zero blocks, an empty one included.
                if (Available == 0 && !_pending) { _archiveEnded = true; return false; }
                throw new LayerException(_sawHeader ? "truncated tar stream: the archive ends inside a header"
                    : "not a tar archive (nor gzip or zstd): it is shorter than one tar header");
            }
            var header = _buffer.AsSpan(_start, TarFormat.BlockSize);
            if (!header.ContainsAnyExcept((byte)0))
            {
                _archiveEnded = true;
                return false;
            }
            if (!TarFormat.ChecksumMatches(header))
            {
                throw new LayerException(_sawHeader ? $"invalid tar header at offset {_offset}: checksum mismatch"
                    : "not a tar archive (nor gzip or zstd): the first header's checksum does not match");
            }
            _sawHeader = true;
            var type = header[TarFormat.TypeOffset];
            var size = Number(header, TarFormat.SizeOffset, TarFormat.NumberLength, "size");
            if (type is (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K')
            {
                await ReadExtensionAsync(type, size, cancellationToken).ConfigureAwait(false);
                continue;
            }
            Load(header, type, size);
            return true;
        }
    }

    /// <summary>The next slice of the current entry's data (valid until the next call); empty when all is read.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadDataAsync(CancellationToken cancellationToken)
    {
        if (_remaining == 0) { return ReadOnlyMemory<byte>.Empty; }
        if (Available == 0 && !await FillAsync(1, cancellationToken).ConfigureAwait(false))
        {
            throw LayerException.ForEntry(Current.Name, "truncated tar stream: the archive ends inside this file's data");
        }
        var count = (int)Math.Min(Available, _remaining);
        var data = _buffer.AsMemory(_start, count);
        Consume(count);
        _remaining -= count;
        return data;
    }

    /// <summary>Reads (and hashes) everything after the end of the archive: the diff ID covers the whole stream.</summary>
    public async ValueTask DrainAsync(CancellationToken cancellationToken)
    {
        do { Consume(Available); }
        while (await FillAsync(1, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Returns the buffer to the pool; the reader is unusable afterwards.</summary>
    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    private void Load(ReadOnlySpan<byte> header, byte type, long size)
    {
        var h = Current;
        h.Name = _pendingName ?? HeaderName(header);
        h.Kind = type switch
        {
            (byte)'0' or (byte)'7' => TarEntryKind.Regular,
            // Pre-POSIX tars marked directories only by a trailing slash.
            0 => h.Name.EndsWith('/') ? TarEntryKind.Directory : TarEntryKind.Regular,
            (byte)'1' => TarEntryKind.HardLink,
            (byte)'2' => TarEntryKind.Symlink,
            (byte)'3' => TarEntryKind.CharDevice,
            (byte)'4' => TarEntryKind.BlockDevice,
            (byte)'5' => TarEntryKind.Directory,
            (byte)'6' => TarEntryKind.Fifo,
            _ => throw LayerException.ForEntry(h.Name, $"unsupported tar entry type '{(char)type}'" + (type == 'S' ? " (sparse file)" : "")),
        };
        // Only links have a link name; other writers may leave anything in the field.
        h.LinkName = h.Kind is not (TarEntryKind.HardLink or TarEntryKind.Symlink) ? ""
            : _pendingLink ?? Text(TarFormat.CString(header.Slice(TarFormat.LinkNameOffset, TarFormat.NameLength)), h.Name);
        h.Mode = (uint)Number(header, TarFormat.ModeOffset, TarFormat.IdLength, "mode") & 0xFFF;
        h.Uid = _pendingUid ?? Number(header, TarFormat.UidOffset, TarFormat.IdLength, "uid");
        h.Gid = _pendingGid ?? Number(header, TarFormat.GidOffset, TarFormat.IdLength, "gid");
        h.Size = _pendingSize ?? size;
        (h.ModifiedSeconds, h.ModifiedNanoseconds) = _pendingMtime ?? (Number(header, TarFormat.MtimeOffset, TarFormat.NumberLength, "mtime"), 0u);
        h.Xattrs.Clear();
        h.Xattrs.AddRange(_pendingXattrs);
        ClearPending();
        Consume(TarFormat.BlockSize);
        // POSIX: links, directories, devices and FIFOs have no data blocks, whatever their size field says.
        _remaining = h.Kind == TarEntryKind.Regular ? h.Size : 0;
        _padding = TarFormat.Padding(_remaining);
    }

    private string HeaderName(ReadOnlySpan<byte> header)
    {
        var name = TarFormat.CString(header.Slice(TarFormat.NameOffset, TarFormat.NameLength));
        var prefix = header.Slice(TarFormat.MagicOffset, 8).SequenceEqual(TarFormat.PosixMagic)
            ? TarFormat.CString(header.Slice(TarFormat.PrefixOffset, TarFormat.PrefixLength))
            : default;
        if (prefix.IsEmpty) { return Text(name, null); }
        Span<byte> joined = stackalloc byte[prefix.Length + 1 + name.Length];
        prefix.CopyTo(joined);
        joined[prefix.Length] = (byte)'/';
        name.CopyTo(joined[(prefix.Length + 1)..]);
        return Text(joined, null);
    }

    private async ValueTask ReadExtensionAsync(byte type, long size, CancellationToken cancellationToken)
    {
        Consume(TarFormat.BlockSize);
        _pending |= type != 'g';
        if (type == 'g' || size > MaxExtensionSize)
        {
            // Global PAX headers (git archive writes one holding a comment) set nothing a layer needs.
            if (type != 'g') { throw new LayerException($"tar extension header at offset {_offset} is too large ({size} bytes)"); }
            await SkipAsync(size + TarFormat.Padding(size), cancellationToken).ConfigureAwait(false);
            return;
        }
        if (!await FillAsync((int)size, cancellationToken).ConfigureAwait(false))
        {
            throw new LayerException("truncated tar stream: the archive ends inside an extension header");
        }
        var data = _buffer.AsSpan(_start, (int)size);
        switch (type)
        {
            case (byte)'L': _pendingName = Text(TarFormat.CString(data), null); break;
            case (byte)'K': _pendingLink = Text(TarFormat.CString(data), null); break;
            default: ParsePax(data); break;
        }
        Consume((int)size);
        await SkipAsync(TarFormat.Padding(size), cancellationToken).ConfigureAwait(false);
    }

    private void ParsePax(ReadOnlySpan<byte> records)
    {
        var at = _offset;
        while (!records.IsEmpty && records.ContainsAnyExcept((byte)0))
        {
            if (!TarFormat.TryReadPaxRecord(ref records, out var key, out var value))
            {
                throw new LayerException($"malformed PAX header at offset {at}");
            }
            if (key.StartsWith("SCHILY.xattr."u8))
            {
                _pendingXattrs.Add(new(Text(key["SCHILY.xattr."u8.Length..], null), value.ToArray()));
            }
            else if (key.SequenceEqual("path"u8)) { _pendingName = value.IsEmpty ? null : Text(value, null); }
            else if (key.SequenceEqual("linkpath"u8)) { _pendingLink = value.IsEmpty ? null : Text(value, null); }
            else if (key.SequenceEqual("size"u8)) { _pendingSize = PaxNumber(value, "size", at); }
            else if (key.SequenceEqual("uid"u8)) { _pendingUid = PaxNumber(value, "uid", at); }
            else if (key.SequenceEqual("gid"u8)) { _pendingGid = PaxNumber(value, "gid", at); }
            else if (key.SequenceEqual("mtime"u8))
            {
                _pendingMtime = TarFormat.TryParsePaxTime(value, out var s, out var ns) ? (s, ns)
                    : throw new LayerException($"malformed PAX mtime at offset {at}");
            }
            else if (key.StartsWith("GNU.sparse."u8)) { throw new LayerException($"sparse files are not supported (PAX header at offset {at})"); }
        }
    }

    private static long PaxNumber(ReadOnlySpan<byte> value, string field, long at) =>
        System.Buffers.Text.Utf8Parser.TryParse(value, out long number, out var used) && used == value.Length && number >= 0
            ? number
            : throw new LayerException($"malformed PAX {field} at offset {at}");

    private long Number(ReadOnlySpan<byte> header, int offset, int length, string field) =>
        TarFormat.TryParseNumber(header.Slice(offset, length), out var value)
            ? value
            : throw new LayerException($"invalid tar header at offset {_offset}: bad {field} field");

    private static string Text(ReadOnlySpan<byte> bytes, string? entry)
    {
        try { return TarFormat.StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException)
        {
            throw LayerException.ForEntry(entry ?? Encoding.UTF8.GetString(bytes), "name is not valid UTF-8");
        }
    }

    private void ClearPending()
    {
        _pending = false;
        _pendingName = _pendingLink = null;
        _pendingSize = _pendingUid = _pendingGid = null;
        _pendingMtime = null;
        _pendingXattrs.Clear();
    }

    private void Consume(int count)
    {
        _start += count;
        _offset += count;
    }

    private async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            if (Available == 0 && !await FillAsync(1, cancellationToken).ConfigureAwait(false))
            {
                throw new LayerException("truncated tar stream: the archive ends inside an entry");
            }
            var take = (int)Math.Min(Available, count);
            Consume(take);
            count -= take;
        }
    }

    /// <summary>Makes at least <paramref name="count"/> bytes available; false if the stream ends first.</summary>
    private async ValueTask<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        if (Available >= count) { return true; }
        if (_start + count > _buffer.Length || Available == 0)
        {
            _buffer.AsSpan(_start, Available).CopyTo(_buffer);
            _end = Available;
            _start = 0;
        }
        while (Available < count && !_sourceEnded)
        {
            var read = await source.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0) { _sourceEnded = true; break; }
            hash?.AppendData(_buffer, _end, read);
            _end += read;
        }
        return Available >= count;
    }
}
