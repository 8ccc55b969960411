namespace DockPS.Engine.Native;

/// <summary>A failed Linux call: names the call, the path and the kernel's reason.</summary>
public sealed class PosixException(string operation, string path, int errno)
    : IOException($"{operation} '{path}': {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}")
{
    /// <summary>The errno the call failed with (see <see cref="Errno"/> constants).</summary>
    public int Errno { get; } = errno;

    /// <summary>The path the call was given.</summary>
    public string Path { get; } = path;
}

/// <summary>errno values; identical on x86_64 and arm64 (both use the generic table).</summary>
internal static class Errno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;
    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;
    /// <summary>File exists.</summary>
    public const int EEXIST = 17;
    /// <summary>Not a directory.</summary>
    public const int ENOTDIR = 20;
    /// <summary>Invalid argument (umount2 on a path that is not a mount point).</summary>
    public const int EINVAL = 22;
    /// <summary>Result too large (xattr buffer too small).</summary>
    public const int ERANGE = 34;
    /// <summary>A name longer than NAME_MAX or a path longer than PATH_MAX.</summary>
    public const int ENAMETOOLONG = 36;
    /// <summary>Too many symbolic links: what O_NOFOLLOW answers on a symlink.</summary>
    public const int ELOOP = 40;
    /// <summary>No such attribute.</summary>
    public const int ENODATA = 61;
    /// <summary>Operation not supported (ENOTSUP).</summary>
    public const int EOPNOTSUPP = 95;
}

/// <summary>What <c>lstat</c> tells about a path, read through <c>statx</c> (one struct layout on every architecture).</summary>
internal readonly record struct FileStatus(
    uint Mode, uint Uid, uint Gid, ulong Size, ulong Inode, uint LinkCount,
    uint DeviceMajor, uint DeviceMinor, uint RdevMajor, uint RdevMinor,
    long ModifiedSeconds, uint ModifiedNanoseconds)
{
    /// <summary>The file-type bits of <c>st_mode</c>.</summary>
    public const uint TypeMask = 0xF000;
    /// <summary>Socket.</summary>
    public const uint Socket = 0xC000;
    /// <summary>Symbolic link.</summary>
    public const uint Symlink = 0xA000;
    /// <summary>Regular file.</summary>
    public const uint Regular = 0x8000;
    /// <summary>Block device.</summary>
    public const uint BlockDevice = 0x6000;
    /// <summary>Directory.</summary>
    public const uint Directory = 0x4000;
    /// <summary>Character device.</summary>
    public const uint CharDevice = 0x2000;
    /// <summary>FIFO.</summary>
    public const uint Fifo = 0x1000;

    /// <summary>The file type (one of the type constants).</summary>
    public uint Type => Mode & TypeMask;

    /// <summary>Permission bits including setuid, setgid and sticky.</summary>
    public uint Permissions => Mode & 0xFFF;

    /// <summary>True for a directory (never through a symlink: this is lstat).</summary>
    public bool IsDirectory => Type == Directory;

    /// <summary>True for a symbolic link.</summary>
    public bool IsSymlink => Type == Symlink;

    /// <summary>True for a regular file.</summary>
    public bool IsRegular => Type == Regular;

    /// <summary>An overlayfs whiteout: a character device numbered 0/0.</summary>
    public bool IsWhiteout => Type == CharDevice && RdevMajor == 0 && RdevMinor == 0;
}
