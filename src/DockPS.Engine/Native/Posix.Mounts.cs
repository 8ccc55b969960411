using System.Runtime.InteropServices;

namespace DockPS.Engine.Native;

/// <summary>mount(2), umount2(2) and rename(2), for volumes that the local driver mounts on use.</summary>
internal static partial class Posix
{
    /// <summary>umount2: detach the mount now and let the kernel finish once nothing uses it.</summary>
    public const int MntDetach = 0x2;

    /// <summary>umount2: never follow a symlink at the target (a volume directory is never one).</summary>
    public const int UmountNoFollow = 0x8;

    /// <summary>mount: <paramref name="data"/> is the filesystem's option string (size=64m,uid=1000,…).</summary>
    public static void Mount(string source, string target, string fsType, ulong flags, string? data) =>
        Check(MountCall(source, target, fsType, flags, data), "mount", target);

    /// <summary>umount2 with <paramref name="flags"/>; a target that is not a mount point is EINVAL.</summary>
    public static void Unmount(string target, int flags) => Check(Umount2Call(target, flags), "umount", target);

    /// <summary>
    /// rename: atomic on one filesystem, and unlike <see cref="Directory.Move(string, string)"/> it
    /// may replace an empty directory.
    /// </summary>
    public static void Rename(string from, string to) => Check(RenameCall(from, to), "rename", from);

    [LibraryImport(Libc, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MountCall(string source, string target, string fsType, ulong flags, string? data);

    [LibraryImport(Libc, EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Umount2Call(string target, int flags);

    [LibraryImport(Libc, EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameCall(string from, string to);
}
