using System.Buffers;

namespace DockPS.Engine.Containers.Logs;

/// <summary>
/// Finds where the last N records of a log start by reading backwards from the end in blocks and
/// counting newlines, file by file: a tail of 10 reads a few kilobytes of a 100 MiB log, not all of it.
/// </summary>
internal static class LogTail
{
    private const int BlockSize = 64 * 1024;

    /// <summary>
    /// The file (index into <paramref name="files"/>, oldest first) and offset from which exactly the
    /// last <paramref name="count"/> complete records follow, or the start when there are fewer.
    /// With 0, the end of the last complete record: only what is written from then on.
    /// </summary>
    public static async Task<(int File, long Offset)> FindStartAsync(IReadOnlyList<OpenLogFile> files, int count, CancellationToken cancellationToken)
    {
        if (files.Count == 0) { return (0, 0); }
        var buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            var remaining = count;
            for (var i = files.Count - 1; i >= 0; i--)
            {
                // The newline ending a file's last complete record comes first; bytes after it are a
                // record still being written (or torn), not one to count.
                var foundEnd = false;
                var position = files[i].Length;
                while (position > 0)
                {
                    var length = (int)Math.Min(BlockSize, position);
                    position -= length;
                    var read = await RandomAccess.ReadAsync(files[i].Handle, buffer.AsMemory(0, length), position, cancellationToken).ConfigureAwait(false);
                    var block = buffer.AsSpan(0, read);
                    int newline;
                    while ((newline = block.LastIndexOf((byte)'\n')) >= 0)
                    {
                        block = block[..newline];
                        if (!foundEnd)
                        {
                            foundEnd = true;
                            if (remaining == 0) { return (i, position + newline + 1); }
                            continue;
                        }
                        // A newline before the end starts a record: one more of the last ones.
                        if (--remaining == 0) { return (i, position + newline + 1); }
                    }
                }
                if (count == 0) { return (i, 0); }
                // The file's first record starts at 0 and has no newline before it.
                if (foundEnd && --remaining == 0) { return (i, 0); }
            }
            return (0, 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
