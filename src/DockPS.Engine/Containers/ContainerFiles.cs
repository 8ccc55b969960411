using System.Text;
using DockPS.Engine.Native;

namespace DockPS.Engine.Containers;

/// <summary>
/// A container's folder under <c>&lt;data-root&gt;/containers/&lt;id&gt;</c>: the overlay upper and work
/// directories, the mount point of its root, the generated /etc/hostname, /etc/hosts and
/// /etc/resolv.conf it bind-mounts, and its json-file log.
/// </summary>
public sealed class ContainerFiles
{
    private readonly string containersRoot;
    // Removed containers' folders, renamed here at once and deleted behind the caller's back: a
    // remove costs one rename, and a crash leaves whole folders to sweep, never half a container.
    private readonly string removing;

    /// <summary>Containers under <paramref name="containersRoot"/>; what a past run left to delete goes in the background.</summary>
    public ContainerFiles(string containersRoot)
    {
        this.containersRoot = containersRoot;
        removing = Path.Combine(containersRoot, ".removing");
        if (Directory.Exists(removing))
        {
            var left = Directory.GetDirectories(removing);
            if (left.Length > 0) { _ = Task.Run(() => { foreach (var dir in left) { DeleteQuietly(dir); } }); }
        }
    }

    /// <summary>Whether the container's folder is there: a removal takes it away before it forgets the record.</summary>
    public bool Exists(string id) => Directory.Exists(DirectoryOf(id));

    /// <summary>The container's folder.</summary>
    public string DirectoryOf(string id) => Path.Combine(containersRoot, id);
    /// <summary>Where its root filesystem is mounted while it runs.</summary>
    public string RootfsOf(string id) => Path.Combine(DirectoryOf(id), "rootfs");
    /// <summary>The overlay upper directory: everything the container changed.</summary>
    public string UpperOf(string id) => Path.Combine(DirectoryOf(id), "diff");
    /// <summary>The generated /etc/hostname.</summary>
    public string HostnamePathOf(string id) => Path.Combine(DirectoryOf(id), "hostname");
    /// <summary>The generated /etc/hosts.</summary>
    public string HostsPathOf(string id) => Path.Combine(DirectoryOf(id), "hosts");
    /// <summary>The generated /etc/resolv.conf.</summary>
    public string ResolvConfPathOf(string id) => Path.Combine(DirectoryOf(id), "resolv.conf");
    /// <summary>The json-file log, named as Docker names it.</summary>
    public string LogPathOf(string id) => Path.Combine(DirectoryOf(id), id + "-json.log");

    private string WorkOf(string id) => Path.Combine(DirectoryOf(id), "work");
    private string EmptyLowerOf(string id) => Path.Combine(DirectoryOf(id), "empty");

    /// <summary>Makes the folder of a new container (the mount's own folders come with its first start).</summary>
    public void Create(string id)
    {
        Directory.CreateDirectory(containersRoot);
        Directory.CreateDirectory(DirectoryOf(id), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(UpperOf(id));
        // The upper directory is the container's "/" once merged: it must look like one.
        File.SetUnixFileMode(UpperOf(id), (UnixFileMode)0x1ED); // 0755
    }

    /// <summary>
    /// Mounts the container's root: the image's layers (top first) read-only under its own upper
    /// directory. redirect_dir and metacopy stay off so the upper directory alone says every change
    /// (a commit or export packs it as a layer). <paramref name="discardAtExit"/> (a container
    /// removed when it exits) mounts it volatile: its changes are never synced to the disk, which
    /// spares the unmount a sync of the whole data-root filesystem.
    /// </summary>
    public string MountRootfs(string id, IReadOnlyList<string> lowerTopFirst, bool discardAtExit)
    {
        var target = RootfsOf(id);
        if (MountTable.IsMountPoint(target)) { return target; }
        Directory.CreateDirectory(target);
        var lowers = lowerTopFirst;
        if (lowers.Count == 0)
        {
            Directory.CreateDirectory(EmptyLowerOf(id));
            lowers = [EmptyLowerOf(id)];
        }
        // Clear what a mount killed midway may have left in work/ (overlay refuses a dirty one), and
        // a volatile mount's marker, which refuses the next mount.
        var work = WorkOf(id);
        if (Directory.Exists(work)) { Directory.Delete(work, recursive: true); }
        Directory.CreateDirectory(work);
        var options = $"lowerdir={string.Join(':', lowers.Select(EscapeOverlayPath))},upperdir={EscapeOverlayPath(UpperOf(id))}," +
                      $"workdir={EscapeOverlayPath(work)},redirect_dir=off,metacopy=off,index=off";
        if (Encoding.UTF8.GetByteCount(options) >= 4096)
        {
            throw new IOException($"the image has too many layers ({lowers.Count}) for one overlay mount on this data root");
        }
        if (discardAtExit)
        {
            // volatile came with Linux 5.10; an older kernel refuses it, and then the mount syncs.
            try { Posix.Mount("overlay", target, "overlay", 0, options + ",volatile"); return target; }
            catch (PosixException e) when (e.Errno == Errno.EINVAL) { }
        }
        Posix.Mount("overlay", target, "overlay", 0, options);
        return target;
    }

    /// <summary>Unmounts the container's root (and anything mounted below it) if it is mounted.</summary>
    public void UnmountRootfs(string id) => MountTable.UnmountAll(RootfsOf(id));

    /// <summary>
    /// Unmounts the container's root and takes its folder (its changes and its log) away at once;
    /// the files are deleted in the background.
    /// </summary>
    /// <exception cref="IOException">Something stays mounted in it, or it cannot be moved.</exception>
    public void Delete(string id)
    {
        var dir = DirectoryOf(id);
        if (!Directory.Exists(dir)) { return; }
        UnmountRootfs(id);
        Directory.CreateDirectory(removing);
        var doomed = Path.Combine(removing, id);
        // A folder left by an earlier remove that failed midway goes first, or the rename would fail.
        if (Directory.Exists(doomed)) { Directory.Delete(doomed, recursive: true); }
        Directory.Move(dir, doomed);
        _ = Task.Run(() => DeleteQuietly(doomed));
    }

    // Nothing is mounted in it (Delete unmounted first); a failure leaves it for the next start's sweep.
    private static void DeleteQuietly(string dir)
    {
        try { Directory.Delete(dir, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Writes /etc/hostname, /etc/hosts and /etc/resolv.conf for the container.</summary>
    public void WriteEtcFiles(ContainerRecord container, bool hostNetwork)
    {
        var id = container.Id;
        var hostSettings = container.Config.Host;
        File.WriteAllText(HostnamePathOf(id), container.Hostname + "\n");

        var hosts = new StringBuilder();
        if (hostNetwork && File.Exists("/etc/hosts"))
        {
            hosts.Append(File.ReadAllText("/etc/hosts"));
            if (hosts.Length > 0 && hosts[^1] != '\n') { hosts.Append('\n'); }
        }
        else
        {
            hosts.Append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n")
                 .Append("ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        }
        foreach (var entry in hostSettings.ExtraHosts ?? [])
        {
            var colon = entry.IndexOf(':');
            if (colon <= 0) { throw new ArgumentException($"invalid extra host \"{entry}\": expected host:ip"); }
            hosts.Append(entry[(colon + 1)..]).Append('\t').Append(entry[..colon]).Append('\n');
        }
        File.WriteAllText(HostsPathOf(id), hosts.ToString());
        File.WriteAllText(ResolvConfPathOf(id), ResolvConf(hostNetwork, hostSettings));
    }

    // The host's resolver settings, without loopback name servers unless the container shares the
    // host's network: in its own namespace 127.0.0.53 is the container itself.
    private static string ResolvConf(bool hostNetwork, HostSettings host)
    {
        var lines = File.Exists("/etc/resolv.conf") ? File.ReadAllLines("/etc/resolv.conf") : [];
        var servers = host.Dns is { Count: > 0 } dns
            ? dns.ToList()
            : lines.Where(l => l.StartsWith("nameserver", StringComparison.Ordinal))
                   .Select(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) ?? "")
                   .Where(s => s.Length > 0 && (hostNetwork || !IsLoopback(s)))
                   .ToList();
        var search = host.DnsSearch is { Count: > 0 } s2 ? s2 : lines.Where(l => l.StartsWith("search", StringComparison.Ordinal))
            .SelectMany(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1)).ToList();
        var options = host.DnsOptions is { Count: > 0 } o ? o : lines.Where(l => l.StartsWith("options", StringComparison.Ordinal))
            .SelectMany(l => l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Skip(1)).ToList();
        var text = new StringBuilder();
        foreach (var server in servers) { text.Append("nameserver ").Append(server).Append('\n'); }
        if (search.Count > 0) { text.Append("search ").Append(string.Join(' ', search)).Append('\n'); }
        if (options.Count > 0) { text.Append("options ").Append(string.Join(' ', options)).Append('\n'); }
        return text.ToString();
    }

    private static bool IsLoopback(string address) =>
        System.Net.IPAddress.TryParse(address, out var ip) && System.Net.IPAddress.IsLoopback(ip);

    // Overlay splits its options on ',' and lower directories on ':'; both may be escaped with '\'.
    private static string EscapeOverlayPath(string path) =>
        path.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal).Replace(",", "\\,", StringComparison.Ordinal);
}
