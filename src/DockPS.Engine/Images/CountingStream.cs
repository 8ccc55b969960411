using DockPS.Engine.Layers;

namespace DockPS.Engine.Images;

/// <summary>Passes reads through and reports the running byte count every half mebibyte (progress lines, not per read).</summary>
internal sealed class CountingStream(Stream inner, Action<long> report) : ReadOnlyStream
{
    private const long Step = 512 * 1024;
    private long _count;
    private long _reported;

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    private int Count(int n)
    {
        _count += n;
        if (_count - _reported >= Step || (n == 0 && _count != _reported))
        {
            _reported = _count;
            report(_count);
        }
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { inner.Dispose(); }
        base.Dispose(disposing);
    }
}
