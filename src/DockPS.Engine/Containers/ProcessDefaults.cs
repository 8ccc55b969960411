using DockPS.Engine.Images;

namespace DockPS.Engine.Containers;

/// <summary>Docker's rules for merging a container's process settings with its image's defaults.</summary>
public static class ProcessDefaults
{
    /// <summary>The PATH a container gets when neither it nor its image sets one.</summary>
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// Entrypoint then command. A given entrypoint replaces the image's and drops the image's
    /// command (an empty one clears it); a given command replaces the image's command.
    /// </summary>
    /// <exception cref="ArgumentException">Neither the container nor the image names a command.</exception>
    public static IReadOnlyList<string> Command(ContainerConfig config, ContainerDefaults image)
    {
        IReadOnlyList<string> entrypoint = config.Entrypoint is { } given
            ? (given.Count == 1 && given[0].Length == 0 ? [] : given)
            : image.Entrypoint ?? [];
        IReadOnlyList<string> cmd = config.Cmd is { Count: > 0 } c ? c
            : config.Entrypoint is not null ? []
            : image.Cmd ?? [];
        var argv = entrypoint.Concat(cmd).ToList();
        if (argv.Count == 0 || argv[0].Length == 0) { throw new ArgumentException("no command specified"); }
        return argv;
    }

    /// <summary>The image's environment overridden key by key by the container's, with a PATH.</summary>
    public static IReadOnlyList<string> Env(ContainerConfig config, ContainerDefaults image)
    {
        var merged = MergeEnv(image.Env ?? [], config.Env ?? []);
        return merged.Any(e => Key(e) == "PATH") ? merged : [DefaultPath, .. merged];
    }

    /// <summary><paramref name="over"/> laid over <paramref name="under"/> key by key (an exec's environment over its container's, too).</summary>
    public static IReadOnlyList<string> MergeEnv(IEnumerable<string> under, IEnumerable<string> over)
    {
        var merged = new List<string>();
        foreach (var entry in under.Concat(over))
        {
            var key = Key(entry);
            merged.RemoveAll(e => Key(e) == key);
            merged.Add(entry);
        }
        return merged;
    }

    /// <summary>Adds <paramref name="entry"/> unless its key is set already.</summary>
    public static IReadOnlyList<string> WithDefault(IReadOnlyList<string> env, string entry) =>
        env.Any(e => Key(e) == Key(entry)) ? env : [.. env, entry];

    private static string Key(string entry) => entry.IndexOf('=') is var eq and >= 0 ? entry[..eq] : entry;

    /// <summary>The container's working directory, else the image's, else <c>/</c>.</summary>
    /// <exception cref="ArgumentException">A relative path.</exception>
    public static string WorkingDir(ContainerConfig config, ContainerDefaults image)
    {
        var dir = !string.IsNullOrEmpty(config.WorkingDir) ? config.WorkingDir
            : !string.IsNullOrEmpty(image.WorkingDir) ? image.WorkingDir : "/";
        if (!dir.StartsWith('/'))
        {
            throw new ArgumentException($"the working directory '{dir}' is invalid, it needs to be an absolute path");
        }
        return dir;
    }

    /// <summary>The image's labels overridden by the container's.</summary>
    public static IReadOnlyDictionary<string, string> Labels(ContainerConfig config, ContainerDefaults image)
    {
        var labels = new Dictionary<string, string>(image.Labels ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in config.Labels ?? new Dictionary<string, string>()) { labels[key] = value; }
        return labels;
    }
}
