using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace DockPS.Daemon.Hosting;

/// <summary>
/// Lets a hijacked connection (attach, exec start) outlive the client's half-close. The docker CLI
/// shuts down its sending side as soon as it has no stdin left and keeps reading the output;
/// Kestrel takes that FIN for the end of the connection and aborts the response. This connection
/// middleware stands between the socket and Kestrel's HTTP layer: a FIN on a connection that a
/// handler has taken over only ends the input (stdin EOF); elsewhere it ends the connection as
/// before, so an ordinary request still learns that its client went away.
/// </summary>
public static class HalfClose
{
    /// <summary>Set by a handler when it takes the connection over (see Api/Hijack).</summary>
    public sealed class Feature(PipeReader input, System.Net.Sockets.Socket socket)
    {
        /// <summary>Whether the connection now carries a process's streams.</summary>
        public bool TakenOver { get; set; }

        /// <summary>
        /// The connection's bytes below HTTP, for a take-over Kestrel will not do itself: it refuses
        /// to upgrade a request that has a body, and <c>docker exec</c> sends one. What the client
        /// sends comes through <see cref="Input"/> (so a FIN stays stdin's end); output goes to the
        /// socket itself: written there it is in the kernel when the write completes, so the abort
        /// that ends such a connection cannot drop it, as it drops what Kestrel's pipe still holds.
        /// </summary>
        public PipeReader Input { get; } = input;

        /// <inheritdoc cref="Input"/>
        public System.Net.Sockets.Socket Socket { get; } = socket;
    }

    /// <summary>The middleware, for <c>ListenOptions.Use</c>.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware => next => async connection =>
    {
        var inner = new Pipe(new PipeOptions(useSynchronizationContext: false));
        using var closed = new CancellationTokenSource();
        var transport = new DuplexPipe(inner.Reader, connection.Transport.Output);
        // The daemon listens through Kestrel's sockets transport, which always has the socket.
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket
            ?? throw new InvalidOperationException("dockpsd listens through Kestrel's sockets transport");
        var feature = new Feature(inner.Reader, socket);
        var wrapper = new Connection(connection, transport, closed.Token);
        wrapper.Features.Set(feature);
        var copy = CopyInputAsync(connection.Transport.Input, inner.Writer, feature, closed);
        try { await next(wrapper); }
        finally
        {
            // The copy may be waiting for bytes a "Connection: close" client will never send:
            // wake it, let it finish, then let go of the socket's input.
            connection.Transport.Input.CancelPendingRead();
            await copy;
            await connection.Transport.Input.CompleteAsync();
        }
    };

    private static async Task CopyInputAsync(PipeReader from, PipeWriter to, Feature feature, CancellationTokenSource closed)
    {
        try
        {
            while (true)
            {
                var read = await from.ReadAsync();
                foreach (var segment in read.Buffer) { await to.WriteAsync(segment); }
                from.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled) { break; }
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ConnectionResetException) { }
        await to.CompleteAsync();
        // A FIN ends an ordinary connection; a taken-over one lives on until its handler is done.
        if (!feature.TakenOver) { await closed.CancelAsync(); }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>The socket's connection with the input and the "closed" signal replaced.</summary>
    private sealed class Connection(ConnectionContext outer, IDuplexPipe transport, CancellationToken closed) : ConnectionContext
    {
        private readonly FeatureCollection _features = new(outer.Features);

        public override string ConnectionId { get => outer.ConnectionId; set => outer.ConnectionId = value; }
        public override IFeatureCollection Features => _features;
        public override IDictionary<object, object?> Items { get => outer.Items; set => outer.Items = value; }
        public override IDuplexPipe Transport { get; set; } = transport;
        public override CancellationToken ConnectionClosed { get; set; } = closed;
        public override System.Net.EndPoint? LocalEndPoint { get => outer.LocalEndPoint; set => outer.LocalEndPoint = value; }
        public override System.Net.EndPoint? RemoteEndPoint { get => outer.RemoteEndPoint; set => outer.RemoteEndPoint = value; }
        public override void Abort(ConnectionAbortedException abortReason) => outer.Abort(abortReason);
        public override void Abort() => outer.Abort();
        public override ValueTask DisposeAsync() => outer.DisposeAsync();
    }
}
