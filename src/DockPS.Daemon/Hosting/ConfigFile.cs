using System.Text.Json;

namespace DockPS.Daemon.Hosting;

/// <summary>
/// The daemon.json-style configuration file. Flags win over the file, as in dockerd; the file
/// is reread on SIGHUP for the settings that can change live (labels, debug).
/// </summary>
public static class ConfigFile
{
    private static readonly HashSet<string> Known =
        ["hosts", "data-root", "exec-root", "pidfile", "debug", "log-level", "labels", "insecure-registries", "default-runtime", "runtimes"];

    /// <summary>
    /// Merges the file into <paramref name="fromFlags"/>. A missing default file is fine; a missing
    /// named file, malformed JSON, an unknown key or a wrong type is an error naming the file.
    /// </summary>
    /// <param name="fromFlags">Settings from flags and defaults.</param>
    /// <param name="explicitFlags">Settings given on the command line, which the file must not override.</param>
    public static DaemonOptions Apply(DaemonOptions fromFlags, IReadOnlySet<string> explicitFlags)
    {
        var path = fromFlags.ConfigFile ?? DaemonOptions.DefaultConfigFile;
        if (!File.Exists(path))
        {
            if (fromFlags.ConfigFile is not null) { throw new FileNotFoundException($"config file {path} not found", path); }
            return fromFlags;
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"config file {path} is not valid JSON: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) { throw new InvalidDataException($"config file {path}: expected a JSON object"); }
            var options = fromFlags;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!Known.Contains(p.Name)) { throw new InvalidDataException($"config file {path}: unknown setting \"{p.Name}\""); }
                if (explicitFlags.Contains(p.Name)) { continue; }
                try
                {
                    options = p.Name switch
                    {
                        "hosts" => options with { Hosts = Strings(p.Value).Select(h => { ListenAddress.Parse(h); return h; }).ToList() },
                        "data-root" => options with { DataRoot = Path.GetFullPath(p.Value.GetString()!) },
                        "exec-root" => options with { ExecRoot = Path.GetFullPath(p.Value.GetString()!) },
                        "pidfile" => options with { PidFile = Path.GetFullPath(p.Value.GetString()!) },
                        "debug" => options with { Debug = p.Value.GetBoolean() },
                        "log-level" => options with { LogLevel = p.Value.GetString()! },
                        "labels" => options with { Labels = Strings(p.Value) },
                        "insecure-registries" => options with { InsecureRegistries = Strings(p.Value) },
                        "default-runtime" => options with { DefaultRuntime = p.Value.GetString()! },
                        // dockerd's shape: {"name": {"path": "/usr/bin/x"}}.
                        "runtimes" => options with
                        {
                            Runtimes = p.Value.EnumerateObject().ToDictionary(r => r.Name, r => Path.GetFullPath(r.Value.GetProperty("path").GetString()!)),
                        },
                        _ => options,
                    };
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                {
                    throw new InvalidDataException($"config file {path}: bad value for \"{p.Name}\": {e.Message}");
                }
            }
            return options;
        }
    }

    private static List<string> Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToList();
}
