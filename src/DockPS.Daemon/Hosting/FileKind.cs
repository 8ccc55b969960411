using System.Runtime.InteropServices;

namespace DockPS.Daemon.Hosting;

/// <summary>
/// The file type of a path, which .NET's file APIs do not expose (a socket looks like a plain
/// file to them). One <c>lstat</c> call; only <c>st_mode</c> is read from the buffer.
/// </summary>
internal static partial class FileKind
{
    private const uint TypeMask = 0xF000; // S_IFMT
    private const uint SocketType = 0xC000; // S_IFSOCK

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LStat(string path, Span<byte> statBuffer);

    /// <summary>Whether <paramref name="path"/> is a Unix socket, not following a final symlink.</summary>
    public static bool IsSocket(string path) => Mode(path) is { } mode && (mode & TypeMask) == SocketType;

    private static uint? Mode(string path)
    {
        Span<byte> buffer = stackalloc byte[256]; // larger than struct stat on every Linux ABI
        if (LStat(path, buffer) != 0) { return null; }
        // st_mode's offset in the kernel's struct stat: after dev, ino, nlink on x86_64; after dev, ino on arm64.
        var offset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;
        return BitConverter.ToUInt32(buffer[offset..]);
    }
}
