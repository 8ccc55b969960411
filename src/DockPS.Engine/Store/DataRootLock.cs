using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DockPS.Engine.Store;

/// <summary>
/// An exclusive lock on a data root, held for the daemon's lifetime. It is an flock on
/// <c>dockpsd.lock</c>, so the kernel drops it when the process dies, even by SIGKILL:
/// a crashed daemon never blocks the next one.
/// </summary>
public sealed partial class DataRootLock : IDisposable
{
    /// <summary>The lock file's name inside the data root.</summary>
    public const string FileName = "dockpsd.lock";

    private readonly FileStream _stream;

    private DataRootLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock or throws <see cref="DataRootInUseException"/> naming the holder.</summary>
    public static DataRootLock Acquire(string dataRoot)
    {
        var path = Path.Combine(dataRoot, FileName);
        try
        {
            // On Unix, .NET maps FileShare.None to flock(LOCK_EX | LOCK_NB).
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString());
            stream.Write(pid);
            stream.Flush(flushToDisk: true);
            return new DataRootLock(stream);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new DataRootInUseException(dataRoot, ReadHolder(path));
        }
    }

    private static int? ReadHolder(string path)
    {
        // A FileStream opened by path would take a shared flock and fail against the holder's
        // exclusive one; a stream over a raw descriptor takes none.
        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0) { return null; }
        using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
        using var reader = new StreamReader(stream);
        return int.TryParse(reader.ReadToEnd().Trim(), out var pid) ? pid : null;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint Open(string path, int flags);

    /// <summary>Releases the lock; the file stays, empty of meaning once unlocked.</summary>
    public void Dispose() => _stream.Dispose();
}

/// <summary>Another daemon holds the data root.</summary>
public sealed class DataRootInUseException(string dataRoot, int? holderPid)
    : InvalidOperationException(
        $"data root {dataRoot} is in use by another dockpsd{(holderPid is { } pid ? $" (pid {pid})" : "")}; " +
        "stop it or start this one with a different --data-root")
{
    /// <summary>The PID written by the daemon that holds the lock, when readable.</summary>
    public int? HolderPid { get; } = holderPid;
}
