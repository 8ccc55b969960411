using System.Collections.Concurrent;
using System.Text;
using Docker.DotNet;

namespace DockPS.Commands.Containers;

/// <summary>
/// Bytes of one output stream → lines. Bytes are gathered until a line break and only then
/// decoded, so a UTF-8 character split across reads or records stays whole.
/// </summary>
internal sealed class LineBuffer
{
    private byte[] _bytes = new byte[256];
    private int _length;

    /// <summary>Whether bytes wait for their line break.</summary>
    public bool HasPending => _length > 0;

    /// <summary>Adds bytes, calling <paramref name="line"/> for every line they complete.</summary>
    public void Append(ReadOnlySpan<byte> data, Action<string> line)
    {
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            var piece = newline < 0 ? data : data[..newline];
            Add(piece);
            if (newline < 0) { return; }
            line(Take());
            data = data[(newline + 1)..];
        }
    }

    /// <summary>Adds bytes that belong to the current line whatever they hold.</summary>
    public void Add(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _bytes.Length) { Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + data.Length)); }
        data.CopyTo(_bytes.AsSpan(_length));
        _length += data.Length;
    }

    /// <summary>The bytes gathered so far as a line (a terminal's '\r' before the break dropped), and a fresh start.</summary>
    public string Take()
    {
        var length = _length > 0 && _bytes[_length - 1] == '\r' ? _length - 1 : _length;
        var text = Encoding.UTF8.GetString(_bytes, 0, length);
        _length = 0;
        return text;
    }
}

/// <summary>One line of a container process's output.</summary>
internal readonly record struct OutputLine(bool Stderr, string Text);

/// <summary>
/// Reads an attach or exec stream on a background task and queues its lines, so the cmdlet can
/// write them from the pipeline thread as they come (cmdlets may only write from their own thread).
/// </summary>
internal sealed class OutputPump
{
    private readonly BlockingCollection<OutputLine> _lines = new();

    /// <summary>Starts reading <paramref name="stream"/> until it ends or <paramref name="cancellationToken"/> fires.</summary>
    public OutputPump(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        Completion = Task.Run(() => PumpAsync(stream, cancellationToken), CancellationToken.None);
    }

    /// <summary>Ends when the stream has ended (faulted when reading it failed).</summary>
    public Task Completion { get; }

    private async Task PumpAsync(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        var stdout = new LineBuffer();
        var stderr = new LineBuffer();
        var buffer = new byte[32 * 1024];
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                if (read.EOF) { break; }
                var isError = read.Target == MultiplexedStream.TargetStream.StandardError;
                (isError ? stderr : stdout).Append(buffer.AsSpan(0, read.Count), text => _lines.Add(new OutputLine(isError, text)));
            }
            // A last line without a line break is still a line.
            if (stdout.HasPending) { _lines.Add(new OutputLine(false, stdout.Take())); }
            if (stderr.HasPending) { _lines.Add(new OutputLine(true, stderr.Take())); }
        }
        finally
        {
            _lines.CompleteAdding();
        }
    }

    /// <summary>Lines queued so far, without waiting.</summary>
    public IEnumerable<OutputLine> Ready()
    {
        while (_lines.TryTake(out var line)) { yield return line; }
    }

    /// <summary>Every line until the stream ends, waiting for each.</summary>
    public IEnumerable<OutputLine> All(CancellationToken cancellationToken) => _lines.GetConsumingEnumerable(cancellationToken);

    // Not disposable on purpose: the reading task may still add a line while a cancelled cmdlet
    // goes away, and a disposed queue would turn that into an unobserved exception.
}
