using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace DockPS.Engine.Runtime;

/// <summary>
/// Requests to one shim over its attach.sock: each request is its own connection, a line of text
/// and a line back (README.md in src/dockps-shim is the protocol). Holds no connection itself.
/// </summary>
/// <param name="stateDirectory">The shim's state directory.</param>
/// <param name="shimPid">The shim's pid if known (read from shim.pid otherwise); only needed when the socket's path is too long to connect to directly.</param>
public sealed class ShimConnection(string stateDirectory, int? shimPid = null)
{
    /// <summary>The socket's name in the state directory.</summary>
    public const string SocketName = "attach.sock";

    // sun_path holds 108 bytes with its terminating zero.
    private const int MaxSocketPath = 107;
    private const int MaxReplyLength = 4096;

    /// <summary>The shim's state directory.</summary>
    public string StateDirectory { get; } = stateDirectory;

    /// <summary>Starts the process: the created container, or the exec process.</summary>
    /// <returns>The process's pid.</returns>
    /// <exception cref="RuntimeFailedException">The runtime failed; the message is its own.</exception>
    /// <exception cref="ShimRequestException">Already started, or already exited.</exception>
    /// <exception cref="ShimUnavailableException">No shim answers.</exception>
    public async Task<int> StartAsync(CancellationToken cancellationToken = default)
    {
        using var socket = await RequestAsync("start", cancellationToken);
        var reply = await ReadReplyAsync(socket, cancellationToken) ?? throw new ShimUnavailableException(StateDirectory);
        if (reply.StartsWith("ok ", StringComparison.Ordinal) && ShimLauncher.TryPid(reply[3..], out var pid)) { return pid; }
        throw Refusal(reply, runtime: true);
    }

    /// <summary>
    /// Attaches to the process's streams. Reading the result gives Docker's multiplexed frames (all
    /// stream 1 with a tty), ending when the process has exited and its output is drained; writing
    /// goes to its stdin. Output from before the attach is only in the log, as in Docker.
    /// </summary>
    /// <exception cref="ShimUnavailableException">No shim answers.</exception>
    public async Task<ShimAttachStream> AttachAsync(bool stdin, bool stdout, bool stderr, CancellationToken cancellationToken = default)
    {
        var socket = await RequestAsync($"attach {Bit(stdin)} {Bit(stdout)} {Bit(stderr)}", cancellationToken);
        try
        {
            var reply = await ReadReplyAsync(socket, cancellationToken) ?? throw new ShimUnavailableException(StateDirectory);
            if (reply != "ok") { throw Refusal(reply, runtime: false); }
            return new ShimAttachStream(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sets the terminal's size (a no-op without a tty; remembered until an exec's pty exists).</summary>
    /// <exception cref="ShimUnavailableException">No shim answers.</exception>
    public async Task ResizeAsync(int rows, int columns, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columns, ushort.MaxValue);
        using var socket = await RequestAsync(
            string.Create(CultureInfo.InvariantCulture, $"resize {rows} {columns}"), cancellationToken);
        var reply = await ReadReplyAsync(socket, cancellationToken) ?? throw new ShimUnavailableException(StateDirectory);
        if (reply != "ok") { throw Refusal(reply, runtime: false); }
    }

    /// <summary>
    /// Waits for the process to end. A shim that is already gone is answered by its exit file.
    /// </summary>
    /// <exception cref="ShimUnavailableException">No shim answers and no exit file was written.</exception>
    public Task<ShimExit> WaitAsync(CancellationToken cancellationToken = default) => WaitAsync(untilShimExits: false, cancellationToken);

    /// <summary>
    /// Waits for the process to end and then for its shim to finish (in container mode that
    /// includes the runtime's delete): after this the state directory may be removed.
    /// </summary>
    /// <exception cref="ShimUnavailableException">No shim answers and no exit file was written.</exception>
    public Task<ShimExit> WaitForShimExitAsync(CancellationToken cancellationToken = default) => WaitAsync(untilShimExits: true, cancellationToken);

    /// <summary>
    /// As <see cref="WaitForShimExitAsync(CancellationToken)"/>, telling <paramref name="exited"/> the
    /// exit as soon as it is known, before the shim's own cleanup (the runtime's delete) is done.
    /// </summary>
    public Task<ShimExit> WaitForShimExitAsync(Action<ShimExit> exited, CancellationToken cancellationToken = default) =>
        WaitAsync(untilShimExits: true, cancellationToken, exited);

    private async Task<ShimExit> WaitAsync(bool untilShimExits, CancellationToken cancellationToken, Action<ShimExit>? exited = null)
    {
        Socket socket;
        try
        {
            socket = await RequestAsync("wait", cancellationToken);
        }
        catch (ShimUnavailableException) when (ShimExit.TryReadFile(StateDirectory) is { } gone)
        {
            exited?.Invoke(gone);
            return gone;
        }
        using (socket)
        {
            var reply = await ReadReplyAsync(socket, cancellationToken);
            // The shim can end between our connect and its reply; its exit file is written first.
            if (reply is null)
            {
                var written = ShimExit.TryReadFile(StateDirectory) ?? throw new ShimUnavailableException(StateDirectory);
                exited?.Invoke(written);
                return written;
            }
            if (!reply.StartsWith("exit ", StringComparison.Ordinal)) { throw Refusal(reply, runtime: false); }
            var exit = ShimExit.Parse(reply[5..]);
            exited?.Invoke(exit);
            if (untilShimExits)
            {
                var rest = new byte[64];
                try
                {
                    while (await socket.ReceiveAsync(rest, SocketFlags.None, cancellationToken) > 0) { }
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    // The shim has gone: that is what was waited for.
                }
            }
            return exit;
        }
    }

    private static char Bit(bool value) => value ? '1' : '0';

    private async Task<Socket> RequestAsync(string line, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath()), cancellationToken);
            await socket.SendAsync(Encoding.UTF8.GetBytes(line + "\n"), SocketFlags.None, cancellationToken);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ShimUnavailableException(StateDirectory, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // A long state directory is reached through the shim's working directory, which is that
    // directory: /proc/<pid>/cwd/attach.sock always fits.
    private string SocketPath()
    {
        var path = Path.Combine(StateDirectory, SocketName);
        if (Encoding.UTF8.GetByteCount(path) <= MaxSocketPath) { return path; }
        var pid = shimPid ?? ShimProcess.ReadPid(StateDirectory) ?? throw new ShimUnavailableException(StateDirectory);
        return string.Create(CultureInfo.InvariantCulture, $"/proc/{pid}/cwd/{SocketName}");
    }

    private async Task<string?> ReadReplyAsync(Socket socket, CancellationToken cancellationToken)
    {
        // What follows the line (an attach's frames) is not ours to take: peek, then take the
        // bytes up to and including the newline, instead of a receive call per byte.
        var buffer = new byte[MaxReplyLength + 1];
        var line = new List<byte>();
        while (true)
        {
            var seen = await ReceiveAsync(socket, buffer, SocketFlags.Peek, cancellationToken);
            if (seen == 0)
            {
                if (line.Count == 0) { return null; }
                throw new ShimException($"dockps-shim in {StateDirectory} cut its reply short");
            }
            var newline = Array.IndexOf(buffer, (byte)'\n', 0, seen);
            var taken = await ReceiveAsync(socket, buffer.AsMemory(0, newline >= 0 ? newline + 1 : seen), SocketFlags.None, cancellationToken);
            line.AddRange(buffer.AsSpan(0, newline >= 0 ? newline : taken));
            if (line.Count > MaxReplyLength) { throw new ShimException($"dockps-shim in {StateDirectory} sent an overlong reply"); }
            if (newline >= 0) { return Encoding.UTF8.GetString(line.ToArray()); }
        }
    }

    // A reset connection reads as its end: the shim went away.
    private static async Task<int> ReceiveAsync(Socket socket, Memory<byte> buffer, SocketFlags flags, CancellationToken cancellationToken)
    {
        try { return await socket.ReceiveAsync(buffer, flags, cancellationToken); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { return 0; }
    }

    private ShimException Refusal(string reply, bool runtime)
    {
        if (!reply.StartsWith("error ", StringComparison.Ordinal)) { return new ShimException($"dockps-shim in {StateDirectory} replied '{reply}'"); }
        var message = reply[6..];
        // The shim's own refusals are fixed words; any other error on start is the runtime's.
        return runtime && message is not ("already started" or "process has exited")
            ? new RuntimeFailedException(message)
            : new ShimRequestException(message);
    }
}
