using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DockPS.Engine.Native;

/// <summary>
/// The Linux file calls the engine needs that .NET does not expose without following symlinks,
/// or at all (owners, device numbers, xattrs, nanosecond times). Every call names the path in the
/// <see cref="PosixException"/> it throws.
/// </summary>
internal static unsafe partial class Posix
{
    private const string Libc = "libc";
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const int AtNoAutomount = 0x800;
    private const ulong StatxAttrMountRoot = 0x2000;
    private const uint StatxBasicStats = 0x7FF;
    private const int OWriteOnly = 0x1, OCreate = 0x40, OExclusive = 0x80, OCloseOnExec = 0x80000;

    // Unlike most open flags, O_NOFOLLOW differs between architectures: arm and arm64 have their
    // own fcntl.h; x86_64 and the rest use the generic value.
    private static readonly int ONoFollow =
        RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    /// <summary>lstat: the path itself, never what a symlink points to.</summary>
    public static FileStatus LStat(string path)
    {
        if (!TryLStat(path, out var status)) { throw Fail("lstat", path, Errno.ENOENT); }
        return status;
    }

    /// <summary>lstat that answers false when the path (or a parent) does not exist.</summary>
    public static bool TryLStat(string path, out FileStatus status)
    {
        StatxBuffer buffer;
        if (StatxCall(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, &buffer) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Errno.ENOENT or Errno.ENOTDIR) { status = default; return false; }
            throw Fail("lstat", path, errno);
        }
        status = ToStatus(buffer);
        return true;
    }

    /// <summary>
    /// Whether the path (symlinks followed) is the root of a mount, from statx's mount-root
    /// attribute: one call instead of reading the mount table. Null when the path does not exist
    /// or the kernel does not report the attribute (before 5.8).
    /// </summary>
    public static bool? IsMountRoot(string path)
    {
        StatxBuffer buffer;
        if (StatxCall(AtFdCwd, path, AtNoAutomount, StatxBasicStats, &buffer) != 0) { return null; }
        if ((buffer.AttributesMask & StatxAttrMountRoot) == 0) { return null; }
        return (buffer.Attributes & StatxAttrMountRoot) != 0;
    }

    /// <summary>fstat: what an open file is now, whatever name it has by now, or none.</summary>
    public static FileStatus FStat(SafeFileHandle file, string path)
    {
        StatxBuffer buffer;
        if (StatxHandleCall(file, "", AtEmptyPath, StatxBasicStats, &buffer) != 0)
        {
            throw Fail("fstat", path, Marshal.GetLastPInvokeError());
        }
        return ToStatus(buffer);
    }

    private static FileStatus ToStatus(in StatxBuffer buffer) => new(
        buffer.Mode, buffer.Uid, buffer.Gid, buffer.Size, buffer.Ino, buffer.NLink,
        buffer.DevMajor, buffer.DevMinor, buffer.RdevMajor, buffer.RdevMinor,
        buffer.MTime.Seconds, buffer.MTime.Nanoseconds);

    /// <summary>mknod: <paramref name="mode"/> carries the file type (FIFO, character device).</summary>
    public static void MakeNode(string path, uint mode, uint major, uint minor)
    {
        // glibc's makedev, spelled out because it is a macro.
        var dev = ((ulong)(major & 0xFFF) << 8) | ((ulong)(major & 0xFFFFF000) << 32)
                | (minor & 0xFF) | ((ulong)(minor & 0xFFFFFF00) << 12);
        Check(MknodCall(path, mode, dev), "mknod", path);
    }

    /// <summary>mkdir with the given mode (the umask still applies; chmod afterwards for exact bits).</summary>
    public static void MakeDirectory(string path, uint mode) => Check(MkdirCall(path, mode), "mkdir", path);

    /// <summary>lchown: owns the path itself, a symlink included.</summary>
    public static void LChown(string path, uint uid, uint gid) => Check(LchownCall(path, uid, gid), "lchown", path);

    /// <summary>chmod with all twelve permission bits; never call it on a symlink (it follows).</summary>
    public static void Chmod(string path, uint mode) => Check(ChmodCall(path, mode), "chmod", path);

    /// <summary>symlink: creates <paramref name="linkPath"/> holding <paramref name="target"/> verbatim.</summary>
    public static void Symlink(string target, string linkPath) => Check(SymlinkCall(target, linkPath), "symlink", linkPath);

    /// <summary>link: a hard link; Linux never follows a symlink given as <paramref name="existing"/>.</summary>
    public static void Link(string existing, string newPath) => Check(LinkCall(existing, newPath), "link", newPath);

    /// <summary>unlink: removes a non-directory.</summary>
    public static void Unlink(string path) => Check(UnlinkCall(path), "unlink", path);

    /// <summary>readlink: the target a symlink holds.</summary>
    public static string ReadLink(string path)
    {
        var buffer = stackalloc byte[4096];
        var length = ReadlinkCall(path, buffer, 4096);
        if (length < 0) { throw Fail("readlink", path, Marshal.GetLastPInvokeError()); }
        return System.Text.Encoding.UTF8.GetString(buffer, (int)length);
    }

    /// <summary>utimensat(AT_SYMLINK_NOFOLLOW): sets both access and modification time.</summary>
    public static void LSetTimes(string path, long seconds, uint nanoseconds)
    {
        var times = stackalloc Timespec[2];
        BothTimes(times, seconds, nanoseconds);
        Check(UtimensatCall(AtFdCwd, path, times, AtSymlinkNoFollow), "utimensat", path);
    }

    /// <summary>fchown on an open file (no path lookup); <paramref name="path"/> only names it in errors.</summary>
    public static void FChown(SafeFileHandle file, uint uid, uint gid, string path) => Check(FchownCall(file, uid, gid), "fchown", path);

    /// <summary>fchmod on an open file.</summary>
    public static void FChmod(SafeFileHandle file, uint mode, string path) => Check(FchmodCall(file, mode), "fchmod", path);

    /// <summary>futimens: sets both access and modification time of an open file.</summary>
    public static void FSetTimes(SafeFileHandle file, long seconds, uint nanoseconds, string path)
    {
        var times = stackalloc Timespec[2];
        BothTimes(times, seconds, nanoseconds);
        Check(FutimensCall(file, times), "futimens", path);
    }

    /// <summary>fsetxattr: sets an extended attribute on an open file.</summary>
    public static void FSetXattr(SafeFileHandle file, string name, ReadOnlySpan<byte> value, string path)
    {
        fixed (byte* pointer = value)
        {
            Check(FsetxattrCall(file, name, pointer, (nuint)value.Length, 0), $"fsetxattr {name}", path);
        }
    }

    /// <summary>lsetxattr: sets an extended attribute on the path itself.</summary>
    public static void LSetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* pointer = value)
        {
            Check(LsetxattrCall(path, name, pointer, (nuint)value.Length, 0), $"lsetxattr {name}", path);
        }
    }

    /// <summary>lgetxattr: the attribute's bytes, or null when the path has no such attribute.</summary>
    public static byte[]? LGetXattr(string path, string name)
    {
        while (true)
        {
            var size = LgetxattrCall(path, name, null, 0);
            if (size < 0) { return XattrMissing(Marshal.GetLastPInvokeError(), $"lgetxattr {name}", path); }
            var value = new byte[size];
            fixed (byte* pointer = value)
            {
                var read = LgetxattrCall(path, name, pointer, (nuint)value.Length);
                if (read >= 0) { return read == value.Length ? value : value[..(int)read]; }
                var errno = Marshal.GetLastPInvokeError();
                // ERANGE: the value grew between the two calls; ask again.
                if (errno != Errno.ERANGE) { return XattrMissing(errno, $"lgetxattr {name}", path); }
            }
        }
    }

    /// <summary>llistxattr: the names of the path's extended attributes (empty when none or unsupported).</summary>
    public static string[] LListXattr(string path)
    {
        while (true)
        {
            var size = LlistxattrCall(path, null, 0);
            if (size == 0) { return []; }
            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                return errno == Errno.EOPNOTSUPP ? [] : throw Fail("llistxattr", path, errno);
            }
            var list = new byte[size];
            fixed (byte* pointer = list)
            {
                var read = LlistxattrCall(path, pointer, (nuint)list.Length);
                if (read >= 0)
                {
                    return System.Text.Encoding.UTF8.GetString(list, 0, (int)read)
                        .Split('\0', StringSplitOptions.RemoveEmptyEntries);
                }
                if (Marshal.GetLastPInvokeError() != Errno.ERANGE) { throw Fail("llistxattr", path, Marshal.GetLastPInvokeError()); }
            }
        }
    }

    /// <summary>Creates a new file for writing; fails (EEXIST) if anything, even a dangling symlink, is there.</summary>
    public static SafeFileHandle CreateExclusive(string path, uint mode)
    {
        var fd = OpenCall(path, OWriteOnly | OCreate | OExclusive | OCloseOnExec | ONoFollow, mode);
        if (fd < 0) { throw Fail("open", path, Marshal.GetLastPInvokeError()); }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Opens a file for reading, refusing (ELOOP) if the path is a symlink.</summary>
    public static SafeFileHandle OpenReadNoFollow(string path)
    {
        var fd = OpenCall(path, OCloseOnExec | ONoFollow, 0);
        if (fd < 0) { throw Fail("open", path, Marshal.GetLastPInvokeError()); }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>write(2) until every byte is written.</summary>
    public static void WriteAll(SafeFileHandle file, ReadOnlySpan<byte> data, string path)
    {
        fixed (byte* start = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var written = WriteCall(file, start + done, (nuint)(data.Length - done));
                if (written < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Errno.EINTR) { continue; }
                    throw Fail("write", path, errno);
                }
                done += (int)written;
            }
        }
    }

    /// <summary>read(2) once: the count read, 0 at end of file.</summary>
    public static int Read(SafeFileHandle file, Span<byte> buffer, string path)
    {
        fixed (byte* start = buffer)
        {
            while (true)
            {
                var read = ReadCall(file, start, (nuint)buffer.Length);
                if (read >= 0) { return (int)read; }
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR) { throw Fail("read", path, errno); }
            }
        }
    }

    // Access time is set to the modification time: tar's atime is noise, and this keeps snapshots reproducible.
    private static void BothTimes(Timespec* times, long seconds, uint nanoseconds) =>
        times[0] = times[1] = new Timespec { Seconds = seconds, Nanoseconds = nanoseconds };

    private static byte[]? XattrMissing(int errno, string operation, string path) =>
        errno is Errno.ENODATA or Errno.EOPNOTSUPP ? null : throw Fail(operation, path, errno);

    private static void Check(int result, string operation, string path)
    {
        if (result != 0) { throw Fail(operation, path, Marshal.GetLastPInvokeError()); }
    }

    private static PosixException Fail(string operation, string path, int errno) => new(operation, path, errno);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private readonly int _reserved;
    }

    // struct statx from linux/stat.h: 256 bytes, the same on every architecture.
    private struct StatxBuffer
    {
        public uint Mask, BlkSize;
        public ulong Attributes;
        public uint NLink, Uid, Gid;
        public ushort Mode;
        private readonly ushort _spare0;
        public ulong Ino, Size, Blocks, AttributesMask;
        public StatxTimestamp ATime, BTime, CTime, MTime;
        public uint RdevMajor, RdevMinor, DevMajor, DevMinor;
        private fixed ulong _spare[14];
    }

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxCall(int dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxHandleCall(SafeFileHandle dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport(Libc, EntryPoint = "mknod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MknodCall(string path, uint mode, ulong dev);

    [LibraryImport(Libc, EntryPoint = "mkdir", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkdirCall(string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LchownCall(string path, uint uid, uint gid);

    [LibraryImport(Libc, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int ChmodCall(string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "symlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SymlinkCall(string target, string linkPath);

    [LibraryImport(Libc, EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LinkCall(string existing, string newPath);

    [LibraryImport(Libc, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int UnlinkCall(string path);

    [LibraryImport(Libc, EntryPoint = "readlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint ReadlinkCall(string path, byte* buffer, nuint size);

    [LibraryImport(Libc, EntryPoint = "utimensat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int UtimensatCall(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport(Libc, EntryPoint = "lsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int LsetxattrCall(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint LgetxattrCall(string path, string name, byte* value, nuint size);

    [LibraryImport(Libc, EntryPoint = "llistxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint LlistxattrCall(string path, byte* list, nuint size);

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenCall(string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "fchown", SetLastError = true)]
    private static partial int FchownCall(SafeFileHandle file, uint uid, uint gid);

    [LibraryImport(Libc, EntryPoint = "fchmod", SetLastError = true)]
    private static partial int FchmodCall(SafeFileHandle file, uint mode);

    [LibraryImport(Libc, EntryPoint = "futimens", SetLastError = true)]
    private static partial int FutimensCall(SafeFileHandle file, Timespec* times);

    [LibraryImport(Libc, EntryPoint = "fsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int FsetxattrCall(SafeFileHandle file, string name, byte* value, nuint size, int flags);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteCall(SafeFileHandle file, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadCall(SafeFileHandle file, byte* buffer, nuint count);
}
