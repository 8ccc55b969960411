using System.Text.Json;

namespace DockPS.Engine.Images;

/// <summary>
/// Applies Dockerfile instructions to an image's container defaults: what <c>docker import
/// --change</c> and <c>docker commit --change</c> accept (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL,
/// ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR), with Dockerfile's exec (JSON) and shell forms.
/// </summary>
public static class ConfigChanges
{
    private static readonly string[] Shell = ["/bin/sh", "-c"];

    /// <summary>Returns <paramref name="defaults"/> with every change applied in order.</summary>
    /// <exception cref="ArgumentException">An unknown or malformed instruction, named in the message.</exception>
    public static ContainerDefaults Apply(ContainerDefaults defaults, IEnumerable<string> changes)
    {
        foreach (var change in changes)
        {
            var text = change.Trim();
            var space = text.IndexOfAny([' ', '\t']);
            var keyword = (space < 0 ? text : text[..space]).ToUpperInvariant();
            var rest = space < 0 ? "" : text[(space + 1)..].Trim();
            if (rest.Length == 0) { throw new ArgumentException($"change \"{change}\": {keyword} needs arguments"); }
            defaults = keyword switch
            {
                "CMD" => defaults with { Cmd = Command(rest) },
                "ENTRYPOINT" => defaults with { Entrypoint = Command(rest) },
                "ENV" => defaults with { Env = MergeEnv(defaults.Env, Pairs(rest, change, allowSpaceForm: true)) },
                "LABEL" => defaults with { Labels = Merge(defaults.Labels, Pairs(rest, change, allowSpaceForm: false)) },
                "EXPOSE" => defaults with { ExposedPorts = AddKeys(defaults.ExposedPorts, rest.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => Port(p, change))) },
                "VOLUME" => defaults with { Volumes = AddKeys(defaults.Volumes, List(rest)) },
                "USER" => defaults with { User = rest },
                "WORKDIR" => defaults with { WorkingDir = Path.IsPathRooted(rest) ? rest : Path.Combine(defaults.WorkingDir ?? "/", rest) },
                "STOPSIGNAL" => defaults with { StopSignal = rest },
                "ONBUILD" => defaults with { OnBuild = [.. defaults.OnBuild ?? [], rest] },
                _ => throw new ArgumentException($"change \"{change}\": {keyword} is not an instruction that can change an image (use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or WORKDIR)"),
            };
        }
        return defaults;
    }

    /// <summary>Exec form <c>["a","b"]</c> as is; shell form wrapped in <c>/bin/sh -c</c>.</summary>
    private static IReadOnlyList<string> Command(string rest) => TryJsonArray(rest) ?? [.. Shell, rest];

    private static IReadOnlyList<string> List(string rest) =>
        TryJsonArray(rest) ?? rest.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string[]? TryJsonArray(string rest)
    {
        if (!rest.StartsWith('[')) { return null; }
        try
        {
            using var doc = JsonDocument.Parse(rest);
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)) { return null; }
            return doc.RootElement.EnumerateArray().Select(e => e.GetString()!).ToArray();
        }
        catch (JsonException)
        {
            return null; // Dockerfile treats a malformed JSON array as shell form
        }
    }

    /// <summary><c>k=v k2="v 2"</c>, or (ENV only) the legacy <c>k value with spaces</c>.</summary>
    private static List<(string Key, string Value)> Pairs(string rest, string change, bool allowSpaceForm)
    {
        var words = SplitWords(rest);
        if (!words[0].Contains('='))
        {
            if (!allowSpaceForm || words.Count < 2) { throw new ArgumentException($"change \"{change}\": expected key=value"); }
            var key = words[0];
            return [(key, rest[key.Length..].Trim())];
        }
        return words.Select(w =>
        {
            var eq = w.IndexOf('=');
            if (eq <= 0) { throw new ArgumentException($"change \"{change}\": \"{w}\" is not key=value"); }
            return (w[..eq], w[(eq + 1)..]);
        }).ToList();
    }

    /// <summary>Splits on blanks outside double quotes, removing the quotes (Dockerfile's word rules, without escapes).</summary>
    private static List<string> SplitWords(string text)
    {
        var words = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (!quoted && char.IsWhiteSpace(c))
            {
                if (current.Length > 0) { words.Add(current.ToString()); current.Clear(); }
                continue;
            }
            current.Append(c);
        }
        if (current.Length > 0) { words.Add(current.ToString()); }
        return words;
    }

    private static string Port(string port, string change)
    {
        var slash = port.IndexOf('/');
        var number = slash < 0 ? port : port[..slash];
        var protocol = slash < 0 ? "tcp" : port[(slash + 1)..].ToLowerInvariant();
        if (!ushort.TryParse(number, out var n) || n == 0 || protocol is not ("tcp" or "udp" or "sctp"))
        {
            throw new ArgumentException($"change \"{change}\": \"{port}\" is not a port (80, 53/udp)");
        }
        return $"{n}/{protocol}";
    }

    private static IReadOnlyList<string> MergeEnv(IReadOnlyList<string>? env, List<(string Key, string Value)> pairs)
    {
        var result = (env ?? []).ToList();
        foreach (var (key, value) in pairs)
        {
            result.RemoveAll(e => e == key || e.StartsWith(key + "=", StringComparison.Ordinal));
            result.Add($"{key}={value}");
        }
        return result;
    }

    private static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string>? labels, List<(string Key, string Value)> pairs)
    {
        var result = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels);
        foreach (var (key, value) in pairs) { result[key] = value; }
        return result;
    }

    private static IReadOnlyDictionary<string, EmptyObject> AddKeys(IReadOnlyDictionary<string, EmptyObject>? set, IEnumerable<string> keys)
    {
        var result = set is null ? new Dictionary<string, EmptyObject>() : new Dictionary<string, EmptyObject>(set);
        foreach (var key in keys) { result[key] = new EmptyObject(); }
        return result;
    }
}
