using Microsoft.AspNetCore.Http.Features;

namespace DockPS.Daemon.Api;

/// <summary>
/// Attach and exec start take over the connection: with <c>Connection: Upgrade</c> the answer is
/// <c>101</c> and the socket carries the process's streams both ways (Docker calls it hijacking).
/// A client that does not ask to upgrade gets the output as the response body, without stdin.
/// </summary>
public static class Hijack
{
    /// <summary>The streams of a taken-over connection.</summary>
    /// <param name="Input">What the client sends (stdin), or null when it cannot send.</param>
    /// <param name="Output">Where the process's output goes.</param>
    /// <param name="Raw">Taken over below Kestrel: the connection must be closed when the work ends.</param>
    public sealed record Streams(Stream? Input, Stream Output, bool Raw = false);

    /// <summary>
    /// What ends a taken-over connection's work: the daemon stopping, or — without an upgrade —
    /// the client going. Not the upgraded request's RequestAborted: Kestrel fires it when the client
    /// half-closes, which the docker CLI does as soon as it has no more stdin to send, while it
    /// still reads the output. The caller disposes it when the work ends.
    /// </summary>
    public static CancellationTokenSource Lifetime(HttpContext context, IHostApplicationLifetime lifetime) =>
        context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            ? CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping)
            : CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping, context.RequestAborted);

    /// <summary>Ends a connection taken over below HTTP, so that Kestrel writes no answer of its own after the streams.</summary>
    public static void Finish(HttpContext context, Streams streams)
    {
        if (streams.Raw) { context.Abort(); }
    }

    /// <summary>Answers the request and hands back the connection's streams.</summary>
    /// <param name="context">The attach or exec start request.</param>
    /// <param name="multiplexed">Whether output is framed by stream (no terminal).</param>
    public static async Task<Streams> TakeOverAsync(HttpContext context, bool multiplexed)
    {
        // The multiplexed content type exists from API 1.42; older clients expect raw-stream for both.
        context.Response.ContentType = multiplexed && ApiVersions.Of(context) >= new Version(1, 42)
            ? "application/vnd.docker.multiplexed-stream"
            : "application/vnd.docker.raw-stream";
        var halfClose = context.Features.Get<DockPS.Daemon.Hosting.HalfClose.Feature>();
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            // A FIN from the client now means "no more stdin", not "gone" (Hosting/HalfClose).
            if (halfClose is not null) { halfClose.TakenOver = true; }
            context.Response.Headers.Connection = "Upgrade";
            context.Response.Headers.Upgrade = "tcp";
            var socket = await upgrade.UpgradeAsync();
            return new Streams(socket, socket);
        }
        if (halfClose is not null && context.Request.Headers.Upgrade.ToString().Equals("tcp", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel does not upgrade a request with a body (exec start has one): the body is read
            // by now, so answer 101 on the connection itself and carry the streams over it.
            halfClose.TakenOver = true;
            var header = System.Text.Encoding.ASCII.GetBytes(
                $"HTTP/1.1 101 UPGRADED\r\nContent-Type: {context.Response.ContentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n" +
                $"Api-Version: {ApiVersions.Format(ApiVersions.Current)}\r\n\r\n");
            // Straight to the socket (see HalfClose.Feature): the output of an exec that ended at
            // once was sometimes lost when it went through Kestrel's pipe (docker exec printed nothing).
            await halfClose.Socket.SendAsync(header, System.Net.Sockets.SocketFlags.None, context.RequestAborted);
            return new Streams(halfClose.Input.AsStream(leaveOpen: true), new System.Net.Sockets.NetworkStream(halfClose.Socket, ownsSocket: false), Raw: true);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        return new Streams(null, context.Response.Body);
    }
}
