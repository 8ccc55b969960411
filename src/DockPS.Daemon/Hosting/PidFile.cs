namespace DockPS.Daemon.Hosting;

/// <summary>The daemon's PID file, as dockerd keeps one: refused while a live process owns it.</summary>
public sealed class PidFile : IDisposable
{
    private readonly string _path;

    private PidFile(string path) => _path = path;

    /// <summary>Writes this process's PID to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">A running process still owns the file.</exception>
    public static PidFile Create(string path)
    {
        if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) &&
            pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}"))
        {
            throw new IOException($"pid file found, ensure dockpsd is not running or delete {path} (pid {pid} is alive)");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, Environment.ProcessId + "\n");
        File.Move(temp, path, overwrite: true);
        return new PidFile(path);
    }

    /// <summary>Removes the file if it still names this process.</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(_path) && File.ReadAllText(_path).Trim() == Environment.ProcessId.ToString()) { File.Delete(_path); }
        }
        catch (IOException) { /* already gone */ }
    }
}
