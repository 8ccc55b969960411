using System.Globalization;

namespace DockPS.Engine.Containers;

/// <summary>The process identity a container's <c>User</c> resolves to in its own /etc/passwd and /etc/group.</summary>
/// <param name="Uid">User ID.</param>
/// <param name="Gid">Primary group ID.</param>
/// <param name="AdditionalGids">Supplementary groups: the user's groups in /etc/group, then <c>GroupAdd</c>.</param>
/// <param name="Home">Home directory (for HOME), "/" when unknown.</param>
public sealed record ProcessUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home)
{
    /// <summary>
    /// Resolves <paramref name="user"/> (<c>name</c>, <c>uid</c>, <c>uid:gid</c>, <c>name:group</c>, or empty for
    /// root) against the files under <paramref name="rootfs"/>, as Docker does: a number missing from
    /// passwd is still valid (primary group 0), a name must be found.
    /// </summary>
    /// <exception cref="ArgumentException">A name that the container's files do not have.</exception>
    public static ProcessUser Resolve(string rootfs, string? user, IReadOnlyList<string>? groupAdd)
    {
        var spec = string.IsNullOrEmpty(user) ? "0" : user;
        var colon = spec.IndexOf(':');
        var userPart = colon < 0 ? spec : spec[..colon];
        var groupPart = colon < 0 ? null : spec[(colon + 1)..];
        var passwd = ReadEntries(rootfs, "/etc/passwd");
        var groups = ReadEntries(rootfs, "/etc/group");

        string[]? entry = IsNumber(userPart)
            ? passwd.FirstOrDefault(e => e.Length > 2 && e[2] == userPart)
            : passwd.FirstOrDefault(e => e[0] == userPart);
        if (entry is null && !IsNumber(userPart))
        {
            throw new ArgumentException($"unable to find user {userPart}: no matching entries in passwd file");
        }
        var uid = ParseId(entry?[2] ?? userPart, "user", userPart);
        var gid = entry is { Length: > 3 } ? ParseId(entry[3], "group", entry[3]) : 0u;
        if (groupPart is not null) { gid = GroupId(groups, groupPart); }
        var name = entry?[0];
        var additional = new List<uint>();
        if (name is not null && groupPart is null)
        {
            additional.AddRange(groups
                .Where(g => g.Length > 3 && g[3].Split(',', StringSplitOptions.RemoveEmptyEntries).Contains(name))
                .Select(g => ParseId(g[2], "group", g[0]))
                .Where(g => g != gid));
        }
        foreach (var extra in groupAdd ?? []) { additional.Add(GroupId(groups, extra)); }
        var home = entry is { Length: > 5 } && entry[5].Length > 0 ? entry[5] : "/";
        return new ProcessUser(uid, gid, additional.Distinct().ToList(), home);
    }

    private static uint GroupId(List<string[]> groups, string group)
    {
        if (IsNumber(group)) { return ParseId(group, "group", group); }
        var entry = groups.FirstOrDefault(g => g[0] == group)
            ?? throw new ArgumentException($"unable to find group {group}: no matching entries in group file");
        return ParseId(entry[2], "group", group);
    }

    private static bool IsNumber(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static uint ParseId(string text, string kind, string name) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new ArgumentException($"invalid {kind} ID for {name}: {text}");

    private static List<string[]> ReadEntries(string rootfs, string file)
    {
        var path = RootfsPath.Resolve(rootfs, file);
        if (!File.Exists(path)) { return []; }
        return File.ReadLines(path)
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(':'))
            .Where(e => e.Length >= 3)
            .ToList();
    }
}
