using System.Net.Sockets;
using Docker.DotNet;

namespace DockPS.Client;

/// <summary>
/// Plain HTTP to the daemon for the few calls Docker.DotNet 4.3.3 cannot make as needed: a wait
/// with a condition (its WaitContainerAsync sends none), a stop or restart with a timeout of 0 (it
/// drops t=0 from the query, so the daemon waits its default 10 s) and the logs endpoint's bytes as
/// they come (its MultiplexedStream hides where one frame ends, and a frame is one log record with its time).
/// Failures surface as <see cref="DockerApiException"/>, as Docker.DotNet's do, so cmdlets map them alike.
/// </summary>
public sealed class DaemonHttp : IDisposable
{
    // The version Docker.DotNet 4.3.3 sends, so every call of a cmdlet sees the same API.
    private const string ApiVersion = "v1.44";

    private readonly HttpClient _http;

    /// <summary>A client for <paramref name="address"/> (unix:// or tcp://).</summary>
    public DaemonHttp(string address)
    {
        var handler = new SocketsHttpHandler();
        var endpoint = DaemonAddress.ToEndpoint(address);
        if (DaemonAddress.SocketPath(address) is { } path)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            endpoint = new Uri("http://localhost/");
        }
        // Waits and followed logs last as long as the container runs: only cancellation ends them.
        _http = new HttpClient(handler) { BaseAddress = endpoint, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Sends a body-less request and returns once the headers are in, the body still to read.
    /// 304 (a start or stop with nothing to do) is an answer, not a failure.
    /// </summary>
    /// <param name="method">GET, POST, …</param>
    /// <param name="pathAndQuery">The path without the version, e.g. <c>containers/x/wait?condition=next-exit</c>.</param>
    /// <param name="cancellationToken">Ends the request, and the reading of its body.</param>
    /// <exception cref="DockerApiException">The daemon answered with an error status.</exception>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, $"/{ApiVersion}/{pathAndQuery}");
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotModified) { return response; }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new DockerApiException(response.StatusCode, body);
        }
    }

    /// <summary>Closes the connections.</summary>
    public void Dispose() => _http.Dispose();
}
