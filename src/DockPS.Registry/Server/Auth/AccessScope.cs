namespace DockPS.Registry.Server.Auth;

/// <summary>
/// One entry of a token scope, as the Docker token specification writes it:
/// <c>repository:tools/busybox:pull,push</c> or <c>registry:catalog:*</c>.
/// </summary>
/// <param name="Type">The resource type: <c>repository</c> or <c>registry</c>.</param>
/// <param name="Name">The resource: a repository name, or <c>catalog</c>.</param>
/// <param name="Actions">The actions asked for or granted: pull, push, delete, or * for all.</param>
public sealed record AccessScope(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>Read a repository.</summary>
    public const string Pull = "pull";
    /// <summary>Write a repository (uploads, manifests, tags).</summary>
    public const string Push = "push";
    /// <summary>Delete manifests, tags and blobs.</summary>
    public const string Delete = "delete";
    /// <summary>The resource type of repositories.</summary>
    public const string Repository = "repository";
    /// <summary>The resource type of registry-wide endpoints (the catalog).</summary>
    public const string Registry = "registry";

    /// <summary>The scope the catalog endpoint needs.</summary>
    public static AccessScope Catalog { get; } = new(Registry, "catalog", ["*"]);

    /// <summary>True when this entry covers <paramref name="action"/> on <paramref name="type"/>:<paramref name="name"/>.</summary>
    public bool Covers(string type, string name, string action) =>
        Type == type && Name == name && Actions.Any(a => a == action || a == "*");

    /// <summary>The wire form, actions joined by commas.</summary>
    public override string ToString() => $"{Type}:{Name}:{string.Join(',', Actions)}";

    /// <summary>
    /// Reads one scope; null when it is not <c>type:name:actions</c>. A resource class
    /// (<c>repository(plugin)</c>) is dropped: this registry stores one kind of repository.
    /// </summary>
    public static AccessScope? Parse(string text)
    {
        var first = text.IndexOf(':');
        var last = text.LastIndexOf(':');
        if (first <= 0 || last <= first + 1 || last == text.Length - 1) { return null; }
        var type = text[..first];
        if (type.IndexOf('(') is var paren and > 0 && type.EndsWith(')')) { type = type[..paren]; }
        var actions = text[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return actions.Length == 0 ? null : new AccessScope(type, text[(first + 1)..last], actions.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>Every scope in <paramref name="values"/>, each of which may hold several separated by spaces (the OAuth2 form).</summary>
    public static List<AccessScope> ParseAll(IEnumerable<string?> values) =>
        values.SelectMany(v => (v ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
              .Select(Parse).OfType<AccessScope>().ToList();
}
