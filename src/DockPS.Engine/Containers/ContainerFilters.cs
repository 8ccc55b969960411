using System.Globalization;
using DockPS.Engine.Filters;
using DockPS.Engine.Images;

namespace DockPS.Engine.Containers;

/// <summary><c>docker ps</c> selection: running only unless all, the filters, the limit.</summary>
internal static class ContainerFilters
{
    private static readonly IReadOnlySet<string> Accepted = new HashSet<string>
    {
        "id", "name", "label", "status", "ancestor", "exited", "volume", "before", "since", "isolation", "network", "health",
    };

    private static readonly IReadOnlySet<string> Statuses = new HashSet<string>
    {
        ContainerStatus.Created, ContainerStatus.Running, ContainerStatus.Paused, ContainerStatus.Restarting,
        ContainerStatus.Removing, ContainerStatus.Exited, ContainerStatus.Dead,
    };

    public static IReadOnlyList<ContainerRecord> Apply(IReadOnlyList<ContainerRecord> newestFirst, bool all, int? limit, FilterSet filters, ImageService images)
    {
        filters.Validate(Accepted);
        foreach (var status in filters.Get("status").Where(s => !Statuses.Contains(s)))
        {
            throw new FilterException($"invalid filter 'status={status}'");
        }
        var exited = filters.Get("exited").Select(e => int.TryParse(e, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
            ? code : throw new FilterException($"invalid filter 'exited={e}'")).ToHashSet();
        var ancestors = filters.Get("ancestor").Select(a => AncestorId(a, images)).ToHashSet();
        // before/since name containers; the newest-first order makes them index bounds.
        var before = filters.Get("before").Select(b => newestFirst.ToList().FindIndex(c => Matches(c, b))).DefaultIfEmpty(-1).Max();
        var since = filters.Get("since").Select(s => newestFirst.ToList().FindIndex(c => Matches(c, s))).DefaultIfEmpty(-1).Max();
        // Status, exited and limit imply stopped containers are wanted.
        var includeStopped = all || limit is > 0 || filters.Contains("status") || filters.Contains("exited") || filters.Contains("before") || filters.Contains("since");

        var result = new List<ContainerRecord>();
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var c = newestFirst[i];
            if (filters.Contains("before") && (before < 0 || i <= before)) { continue; }
            if (filters.Contains("since") && (since < 0 || i >= since)) { continue; }
            if (!includeStopped && !c.State.Running) { continue; }
            if (filters.Contains("id") && !filters.Get("id").Any(id => c.Id.StartsWith(id, StringComparison.Ordinal))) { continue; }
            if (filters.Contains("name") && !filters.Get("name").Any(n => c.Name.Contains(n.TrimStart('/'), StringComparison.Ordinal))) { continue; }
            if (!filters.MatchLabels("label", c.Labels)) { continue; }
            if (filters.Contains("status") && !filters.Get("status").Contains(c.State.Status)) { continue; }
            if (exited.Count > 0 && (c.State.Status != ContainerStatus.Exited || !exited.Contains(c.State.ExitCode))) { continue; }
            if (ancestors.Count > 0 && !ancestors.Contains(c.ImageId)) { continue; }
            if (filters.Contains("volume") && !filters.Get("volume").Any(v => c.Mounts.Any(m => m.Name == v || m.Destination == v))) { continue; }
            if (filters.Contains("network") && !filters.Get("network").Contains(NetworkName(c))) { continue; }
            result.Add(c);
            if (limit is > 0 && result.Count == limit) { break; }
        }
        return result;
    }

    /// <summary>The network a container is on, as the API names it.</summary>
    public static string NetworkName(ContainerRecord c) => c.Config.Host.NetworkMode is "host" or "none" ? c.Config.Host.NetworkMode! : "default";

    private static bool Matches(ContainerRecord c, string idOrName) =>
        c.Id.StartsWith(idOrName, StringComparison.Ordinal) || c.Name == idOrName.TrimStart('/');

    // An ancestor names an image; containers of any image unknown now match nothing.
    private static string AncestorId(string ancestor, ImageService images)
    {
        try { return images.Find(ancestor).Id.ToString(); }
        catch (KeyNotFoundException) { return ancestor; }
    }
}
