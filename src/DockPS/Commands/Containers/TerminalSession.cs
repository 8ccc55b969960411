using System.Runtime.InteropServices;
using Docker.DotNet;

namespace DockPS.Commands.Containers;

/// <summary>
/// Connects the console to a process with a terminal in a container (docker exec -it, docker run
/// -it): the console is put in raw mode so every key (Ctrl+C, arrows, Tab) goes to the process
/// and the process's own terminal echoes; its output goes to the console untouched; the console's
/// size is sent at the start and whenever it changes. The console's mode is restored at the end,
/// however the session ends.
/// </summary>
internal static partial class TerminalSession
{
    private const int StdinFd = 0;
    private const int TcsaNow = 0;
    private const short PollIn = 1;
    // struct termios is 60 bytes on Linux (x86-64 and arm64); room to spare costs nothing.
    private const int TermiosSize = 256;

    /// <summary>Whether stdin is a terminal the session can take over.</summary>
    public static bool InputIsTerminal => OperatingSystem.IsLinux() && IsATty(StdinFd) == 1;

    /// <summary>
    /// Runs the session until the process's output ends (it exited) or <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <param name="stream">The attach or exec stream of a process with a terminal (raw, not multiplexed).</param>
    /// <param name="resize">Sends a size (width, height) to the process's terminal.</param>
    /// <param name="cancellationToken">Ends the session early.</param>
    /// <exception cref="InvalidOperationException">Stdin is not a terminal.</exception>
    public static void Run(MultiplexedStream stream, Func<int, int, CancellationToken, Task> resize, CancellationToken cancellationToken)
    {
        if (!InputIsTerminal) { throw new InvalidOperationException("the input device is not a terminal: run this in a console, not with redirected input"); }
        var saved = new byte[TermiosSize];
        if (GetAttributes(StdinFd, saved) != 0) { throw new InvalidOperationException($"cannot read the terminal's mode (errno {Marshal.GetLastPInvokeError()})"); }
        var raw = (byte[])saved.Clone();
        MakeRaw(raw);
        // TCSANOW, not TCSAFLUSH: keys typed before the session started are the process's too.
        if (SetAttributes(StdinFd, TcsaNow, raw) != 0) { throw new InvalidOperationException($"cannot put the terminal in raw mode (errno {Marshal.GetLastPInvokeError()})"); }
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            var size = (Width: Console.WindowWidth, Height: Console.WindowHeight);
            // The size is a courtesy: a daemon that cannot take it yet leaves the session usable.
            try { resize(size.Width, size.Height, done.Token).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is DockerApiException or IOException or HttpRequestException) { }
            var output = Task.Run(() => CopyOutputAsync(stream, done.Token), CancellationToken.None);
            var input = new Thread(() => CopyInput(stream, done.Token)) { IsBackground = true, Name = "DockPS terminal input" };
            input.Start();
            // The console gives no resize event to a library: its size is looked at a few times a second.
            while (!output.Wait(250, CancellationToken.None) && !done.IsCancellationRequested)
            {
                var now = (Width: Console.WindowWidth, Height: Console.WindowHeight);
                if (now == size) { continue; }
                size = now;
                try { resize(size.Width, size.Height, done.Token).GetAwaiter().GetResult(); }
                catch (Exception e) when (e is DockerApiException or IOException or HttpRequestException) { }
            }
            done.Cancel();
            input.Join();
            if (!cancellationToken.IsCancellationRequested) { output.GetAwaiter().GetResult(); }
        }
        finally
        {
            _ = SetAttributes(StdinFd, TcsaNow, saved);
        }
    }

    private static async Task CopyOutputAsync(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        await using var console = Console.OpenStandardOutput();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read.EOF) { return; }
            await console.WriteAsync(buffer.AsMemory(0, read.Count), cancellationToken).ConfigureAwait(false);
            await console.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Keys are read from fd 0 directly (the console's own reader would wait for a whole line and
    // echo it) and only after poll says some are there, so the loop can notice the end.
    private static unsafe void CopyInput(MultiplexedStream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var poll = new PollFd { Fd = StdinFd, Events = PollIn };
        while (!cancellationToken.IsCancellationRequested)
        {
            if (Poll(&poll, 1, 100) <= 0 || (poll.Revents & PollIn) == 0)
            {
                if (poll.Revents != 0 && (poll.Revents & PollIn) == 0) { break; }
                continue;
            }
            nint read;
            fixed (byte* p = buffer) { read = Read(StdinFd, p, buffer.Length); }
            if (read <= 0)
            {
                // The console is gone: the process sees the end of its input.
                try { stream.CloseWrite(); } catch (IOException) { }
                break;
            }
            try { stream.WriteAsync(buffer, 0, (int)read, cancellationToken).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException) { break; }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int GetAttributes(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int SetAttributes(int fd, int optionalActions, byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void MakeRaw([In, Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);
}
