using System.Net;
using System.Net.Sockets;

namespace DockPS.Registry.Tests.Infrastructure;

/// <summary>
/// Where to cut a stream: given the next bytes about to be forwarded, how many of them still go
/// through before the connection is reset, or null to forward them all.
/// </summary>
public delegate int? CutRule(ReadOnlySpan<byte> next);

/// <summary>
/// A loopback TCP proxy in front of a real server that resets its first connection at a point
/// chosen by a <see cref="CutRule"/> in one direction (registry to client, or client to
/// registry); later connections pass through untouched, so a client can resume. Optionally it
/// cuts every connection (a registry that never gets a blob out), or stalls instead of cutting
/// (a transfer that hangs until the client gives up).
/// </summary>
public sealed class DroppingProxy : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly CutRule? _cutDownstream;
    private readonly CutRule? _cutUpstream;
    private readonly Func<CutRule>? _everyConnection;
    private readonly bool _stall;
    private readonly CancellationTokenSource _stop = new();
    private int _connections;
    private int _cuts;

    /// <param name="upstreamPort">The real server's port on 127.0.0.1.</param>
    /// <param name="cutDownstream">Where to cut the server → client bytes.</param>
    /// <param name="cutUpstream">Where to cut the client → server bytes.</param>
    /// <param name="everyConnection">Cut the server → client bytes of every connection, each with a new rule from this.</param>
    /// <param name="stall">Where a rule says cut, stop forwarding (and hold the connection open) instead.</param>
    public DroppingProxy(int upstreamPort, CutRule? cutDownstream = null, CutRule? cutUpstream = null, Func<CutRule>? everyConnection = null, bool stall = false)
    {
        _upstreamPort = upstreamPort;
        _cutDownstream = cutDownstream;
        _cutUpstream = cutUpstream;
        _everyConnection = everyConnection;
        _stall = stall;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    /// <summary>A proxy that stalls every connection once the server sent <paramref name="bytes"/> bytes on it: a registry that hangs mid-blob.</summary>
    public static DroppingProxy Stalling(int upstreamPort, long bytes) => new(upstreamPort, everyConnection: () => AfterBytes(bytes), stall: true);

    /// <summary>Cut once <paramref name="bytes"/> bytes have gone through.</summary>
    public static CutRule AfterBytes(long bytes)
    {
        long seen = 0;
        return next =>
        {
            if (seen + next.Length < bytes) { seen += next.Length; return null; }
            return (int)(bytes - seen);
        };
    }

    /// <summary>
    /// Cut <paramref name="into"/> bytes into the <paramref name="occurrence"/>-th appearance of
    /// <paramref name="marker"/> (e.g. a request line), so the server sees only its beginning.
    /// </summary>
    public static CutRule InsideOccurrence(string marker, int occurrence, int into)
    {
        var pattern = System.Text.Encoding.ASCII.GetBytes(marker);
        var count = 0;
        return next =>
        {
            var from = 0;
            while (next[from..].IndexOf(pattern) is var found and >= 0)
            {
                var at = from + found;
                if (++count == occurrence) { return Math.Min(next.Length, at + into); }
                from = at + 1;
            }
            return null;
        };
    }

    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>How many connections were cut (or stalled).</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            var first = Interlocked.Increment(ref _connections) == 1;
            _ = RelayAsync(client, first);
        }
    }

    private async Task RelayAsync(TcpClient client, bool cut)
    {
        using var server = new TcpClient();
        using (client)
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _upstreamPort);
                using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client.GetStream(), server.GetStream(), cut ? _cutUpstream : null, done);
                var down = PumpAsync(server.GetStream(), client.GetStream(), _everyConnection?.Invoke() ?? (cut ? _cutDownstream : null), done);
                await Task.WhenAny(up, down);
                done.Cancel();
                if (await up || await down)
                {
                    Interlocked.Increment(ref _cuts);
                    // A reset, like a crashed peer or a dropped route, rather than an orderly close.
                    client.Client.LingerState = new LingerOption(true, 0);
                    server.Client.LingerState = new LingerOption(true, 0);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
        }
    }

    /// <summary>Copies until either side closes; true when it stopped because the rule cut it.</summary>
    private async Task<bool> PumpAsync(Stream from, Stream to, CutRule? rule, CancellationTokenSource done)
    {
        var buffer = new byte[64 << 10];
        try
        {
            while (true)
            {
                var n = await from.ReadAsync(buffer, done.Token);
                if (n == 0) { return false; }
                var forward = rule?.Invoke(buffer.AsSpan(0, n));
                await to.WriteAsync(buffer.AsMemory(0, forward ?? n), done.Token);
                if (forward is not null && _stall)
                {
                    Interlocked.Increment(ref _cuts);
                    await Task.Delay(Timeout.Infinite, done.Token);
                }
                if (forward is not null) { return true; }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
