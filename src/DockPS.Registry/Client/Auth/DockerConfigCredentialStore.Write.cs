using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DockPS.Registry.Client.Auth;

public sealed partial class DockerConfigCredentialStore
{
    /// <summary>
    /// Stores a login as <c>docker login</c> does: <c>auths["host:port"] = {"auth": base64(user:password)}</c>,
    /// replacing any entry for the same registry (including old <c>https://host/v1/</c> keys).
    /// Every other key in the file — <c>credsStore</c>, other logins, settings this code does not
    /// know — is kept as it was. Returns the file written.
    /// </summary>
    /// <exception cref="InvalidDataException">The file exists but is not a JSON object; it is left untouched.</exception>
    public string Save(string registry, string username, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        var target = ResolveTarget();
        var root = Load(target) ?? [];
        if (root["auths"] is not JsonObject auths)
        {
            auths = [];
            root["auths"] = auths;
        }
        var key = NormalizeKey(registry);
        foreach (var old in KeysFor(auths, key)) { auths.Remove(old); }
        auths[key] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")) };
        WriteAtomically(target, root);
        return target;
    }

    /// <summary>
    /// Removes every <c>auths</c> entry for the registry (as <c>docker logout</c> does), keeping the
    /// rest of the file. False, and nothing written, when there was none.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object; it is left untouched.</exception>
    public bool Remove(string registry)
    {
        ArgumentException.ThrowIfNullOrEmpty(registry);
        var target = ResolveTarget();
        if (Load(target) is not { } root || root["auths"] is not JsonObject auths) { return false; }
        var keys = KeysFor(auths, NormalizeKey(registry));
        if (keys.Count == 0) { return false; }
        foreach (var key in keys) { auths.Remove(key); }
        WriteAtomically(target, root);
        return true;
    }

    /// <summary>The registries (host[:port]) that have an entry in <c>auths</c>, for completion and listing.</summary>
    public IReadOnlyList<string> Registries()
    {
        var root = Load(ResolveTarget());
        return root?["auths"] is JsonObject auths
            ? auths.Select(a => NormalizeKey(a.Key)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList()
            : [];
    }

    private static List<string> KeysFor(JsonObject auths, string key) =>
        auths.Select(a => a.Key).Where(k => string.Equals(NormalizeKey(k), key, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The file to write: the target of a symlinked config.json, so the link survives (as the Docker CLI keeps it).</summary>
    private string ResolveTarget()
    {
        var info = new FileInfo(Path);
        return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } final ? final.FullName : Path;
    }

    private static JsonObject? Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        // An empty file is an empty configuration to the Docker CLI too.
        if (string.IsNullOrWhiteSpace(text)) { return null; }
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidDataException($"{path} does not hold a JSON object");
        }
        catch (JsonException e)
        {
            // JsonException messages give a position, never the text around it: no secret leaks.
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes a temp file beside the target, owner-only (0600) from its creation, flushes it to
    /// disk and renames it over the target: a reader sees the old file or the new one, never half
    /// of one, and the secret is never readable by others, not even for a moment.
    /// </summary>
    private static void WriteAtomically(string path, JsonObject root)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        if (!Directory.Exists(dir))
        {
            if (OperatingSystem.IsWindows()) { Directory.CreateDirectory(dir); }
            else { Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
        }
        var temp = System.IO.Path.Combine(dir, $".{System.IO.Path.GetFileName(path)}.{Guid.NewGuid():n}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) { options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; }
            using (var stream = new FileStream(temp, options))
            {
                // Tabs, as the Docker CLI indents the file, so a diff after either tool stays small.
                using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1 }))
                {
                    root.WriteTo(writer);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
