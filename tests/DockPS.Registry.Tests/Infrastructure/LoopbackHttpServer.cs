using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DockPS.Registry.Tests.Infrastructure;

public sealed record TestRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Path => Target.Split('?')[0];

    /// <summary>Every value of a query parameter, unescaped.</summary>
    public IReadOnlyList<string> Query(string name) =>
        Target.Contains('?')
            ? Target[(Target.IndexOf('?') + 1)..].Split('&')
                .Select(p => p.Split('=', 2))
                .Where(p => p[0] == name)
                .Select(p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""))
                .ToList()
            : [];
}

public sealed record TestResponse(int Status, byte[] Body, params (string Name, string Value)[] Headers)
{
    public static TestResponse Json(int status, string json, params (string, string)[] headers) =>
        new(status, Encoding.UTF8.GetBytes(json), [("Content-Type", "application/json"), .. headers]);
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 for what the real registry cannot play: a token issuer,
/// a redirecting front, a registry that lies. One request per connection (Connection: close).
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<TestRequest, TestResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private int _requests;

    public LoopbackHttpServer(Func<TestRequest, TestResponse> handler)
    {
        _handler = handler;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Host => $"127.0.0.1:{Port}";

    public int RequestCount => Volatile.Read(ref _requests);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var request = await ReadRequestAsync(stream);
                Interlocked.Increment(ref _requests);
                var response = _handler(request);
                var head = new StringBuilder($"HTTP/1.1 {response.Status} {((HttpStatusCode)response.Status)}\r\n");
                foreach (var (name, value) in response.Headers) { head.Append($"{name}: {value}\r\n"); }
                head.Append($"Content-Length: {response.Body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
                if (request.Method != "HEAD") { await stream.WriteAsync(response.Body); }
            }
            catch (IOException) { }
        }
    }

    private static async Task<TestRequest> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (!(buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0) { throw new IOException("client closed"); }
            buffer.Add(one[0]);
        }
        var lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var parts = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = new byte[headers.TryGetValue("Content-Length", out var length) ? int.Parse(length) : 0];
        await stream.ReadExactlyAsync(body);
        return new TestRequest(parts[0], parts[1], headers, body);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}
