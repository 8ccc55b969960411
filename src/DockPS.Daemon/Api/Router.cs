namespace DockPS.Daemon.Api;

/// <summary>
/// Matches a request to a route of the table by method and path template, and runs it. A
/// template is literal segments and <c>{name}</c> segments; one <c>{name*}</c> segment may take
/// several path segments, for image names such as <c>registry:5000/team/app:tag</c>.
/// Parameters land in <c>HttpRequest.RouteValues</c>.
/// </summary>
/// <remarks>
/// A lookup over a handful of templates; ASP.NET's endpoint routing would add a tenth of a
/// second to every daemon start (measured) for matching this table needs no help with.
/// </remarks>
public sealed class Router
{
    private readonly IReadOnlyList<(Route Route, Template Template)> _routes;

    /// <summary>Compiles the table; a malformed template is a startup error.</summary>
    public Router(IEnumerable<Route> routes) =>
        _routes = routes.Select(r => (r, Template.Parse(r.Path))).ToList();

    /// <summary>Runs the matching route, or answers 404 as dockerd does for unknown paths and methods.</summary>
    public Task Dispatch(HttpContext context)
    {
        var segments = (context.Request.Path.Value ?? "/").Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var (route, template) in _routes)
        {
            if (!HttpMethods.Equals(route.Method, context.Request.Method)) { continue; }
            if (template.Match(segments) is { } values)
            {
                foreach (var (name, value) in values) { context.Request.RouteValues[name] = value; }
                return route.Handler(context);
            }
        }
        return ApiErrors.NotFound(context);
    }

    private sealed record Template(string[] Segments, int GreedyAt)
    {
        public static Template Parse(string path)
        {
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            var greedy = Array.FindIndex(segments, s => s.StartsWith('{') && s.EndsWith("*}", StringComparison.Ordinal));
            if (greedy >= 0 && Array.FindLastIndex(segments, s => s.EndsWith("*}", StringComparison.Ordinal)) != greedy)
            {
                throw new ArgumentException($"route {path}: only one {{name*}} segment is allowed");
            }
            return new Template(segments, greedy);
        }

        public List<(string Name, string Value)>? Match(string[] path)
        {
            if (GreedyAt < 0 ? path.Length != Segments.Length : path.Length < Segments.Length) { return null; }
            var values = new List<(string, string)>();
            for (var i = 0; i < Segments.Length; i++)
            {
                if (i == GreedyAt)
                {
                    var taken = path.Length - Segments.Length + 1;
                    values.Add((Segments[i][1..^2], Uri.UnescapeDataString(string.Join('/', path, i, taken))));
                    continue;
                }
                var p = GreedyAt >= 0 && i > GreedyAt ? path[path.Length - (Segments.Length - i)] : path[i];
                var s = Segments[i];
                if (s.StartsWith('{')) { values.Add((s[1..^1], Uri.UnescapeDataString(p))); }
                else if (!string.Equals(s, p, StringComparison.Ordinal)) { return null; }
            }
            return values;
        }
    }
}
