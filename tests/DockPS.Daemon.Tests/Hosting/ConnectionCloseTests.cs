using System.Net.Sockets;
using System.Text;

namespace DockPS.Daemon.Tests.Hosting;

/// <summary>
/// A client that sends "Connection: close" (Docker.DotNet does on every request) may read a
/// response without Content-Length, such as a 204, until the connection closes: the daemon must
/// close it once the response is out, not when some later timeout fires.
/// </summary>
public sealed class ConnectionCloseTests : IDisposable
{
    private readonly TestDaemon _daemon = TestDaemon.Start();

    public void Dispose() => _daemon.Dispose();

    [Theory]
    [InlineData("DELETE /v1.44/volumes/none-such?force=1", "HTTP/1.1 204 No Content")]
    [InlineData("GET /_ping", "HTTP/1.1 200 OK")]
    public async Task TheDaemonClosesAfterTheResponse(string request, string statusLine)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_daemon.Socket));
        await socket.SendAsync(Encoding.ASCII.GetBytes($"{request} HTTP/1.1\r\nHost: dockpsd\r\nConnection: close\r\n\r\n"));
        // A guard against a hang, not a speed check: the close comes with the response; the bug
        // this test keeps away held the socket open for seconds, until a timer ended it.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token)) > 0) { received.Write(buffer, 0, read); }
        Assert.StartsWith(statusLine + "\r\n", Encoding.ASCII.GetString(received.ToArray()));
    }

    [Fact]
    public void TheApiSocketQueuesAsManyConnectionsAsTheKernelAllows()
    {
        // Kestrel queued 512 connections; a client firing a thousand requests at once (parallel
        // removals in a script) saw some fail to connect with EAGAIN while the daemon was busy.
        // For a listening socket, ss shows the queue's length in its Send-Q column.
        var somaxconn = int.Parse(File.ReadAllText("/proc/sys/net/core/somaxconn").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var info = new System.Diagnostics.ProcessStartInfo("ss", ["-x", "-l", "-n", "-H"]) { RedirectStandardOutput = true };
        using var ss = System.Diagnostics.Process.Start(info)!;
        var listening = ss.StandardOutput.ReadToEnd().Split('\n').Single(l => l.Contains(_daemon.Socket, StringComparison.Ordinal));
        ss.WaitForExit();
        var columns = listening.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(somaxconn, int.Parse(columns[3], System.Globalization.CultureInfo.InvariantCulture));
    }
}
