using System.Globalization;

namespace DockPS.Engine.Containers;

/// <summary>The log drivers the engine has (<c>json-file</c>, <c>none</c>) and json-file's options.</summary>
public static class LogOptions
{
    /// <summary>The default driver.</summary>
    public const string JsonFile = "json-file";

    /// <summary>Whether the container's output is logged.</summary>
    public static bool Enabled(LogSettings? log) => log is null || log.Type is "" or JsonFile;

    /// <summary>Refuses an unknown driver or a malformed option.</summary>
    /// <exception cref="ArgumentException">What is wrong.</exception>
    public static void Validate(LogSettings? log)
    {
        if (log is null) { return; }
        if (log.Type is not ("" or JsonFile or "none"))
        {
            throw new ArgumentException($"logger: no log driver named '{log.Type}' is registered");
        }
        foreach (var key in log.Options.Keys)
        {
            if (key is not ("max-size" or "max-file" or "compress" or "labels" or "env" or "tag"))
            {
                throw new ArgumentException($"unknown log opt '{key}' for {JsonFile} log driver");
            }
        }
        _ = MaxSize(log);
        _ = MaxFiles(log);
    }

    /// <summary><c>max-size</c> in bytes (<c>10m</c>, <c>1g</c>, <c>512k</c>, plain bytes); null when unlimited.</summary>
    public static long? MaxSize(LogSettings? log)
    {
        if (log?.Options.GetValueOrDefault("max-size") is not { Length: > 0 } text || text == "-1") { return null; }
        var unit = char.ToLowerInvariant(text[^1]);
        var (digits, factor) = unit switch
        {
            'k' => (text[..^1], 1024L),
            'm' => (text[..^1], 1024L * 1024),
            'g' => (text[..^1], 1024L * 1024 * 1024),
            _ => (text, 1L),
        };
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new ArgumentException($"invalid max-size for {JsonFile} log driver: {text}");
        }
        return value * factor;
    }

    /// <summary><c>max-file</c>: how many files rotation keeps (default 1).</summary>
    public static int MaxFiles(LogSettings? log)
    {
        if (log?.Options.GetValueOrDefault("max-file") is not { Length: > 0 } text) { return 1; }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var files) || files < 1)
        {
            throw new ArgumentException($"invalid max-file for {JsonFile} log driver: {text} (must be a positive number)");
        }
        if (files > 1 && MaxSize(log) is null)
        {
            throw new ArgumentException("max-file cannot be set without max-size");
        }
        return files;
    }
}
