using System.Text.RegularExpressions;

namespace DockPS.Registry.Server.Auth;

/// <summary>
/// Who may do what to which repositories: the <c>--access</c> file. Each line is
/// <c>user repository-pattern actions</c>:
/// <code>
/// # user    repositories   actions
/// alice     *              delete
/// bob       team/*         push
/// *         public/*       pull
/// </code>
/// <c>user</c> is an htpasswd user or <c>*</c> for every authenticated user; the pattern is a
/// repository name where <c>*</c> stands for any characters, slashes included; actions are
/// <c>pull</c>, <c>push</c> (which includes pull: a client checks what exists before it uploads)
/// and <c>delete</c> (which includes both), or a comma list of them. Lines add up; what no line
/// grants is refused. Without a file every authenticated user may do everything.
/// </summary>
public sealed class AccessList
{
    private readonly IReadOnlyList<Rule> _rules;

    private sealed record Rule(string User, Regex Pattern, string[] Actions);

    private AccessList(IReadOnlyList<Rule>? rules) => _rules = rules ?? [];

    /// <summary>True when the list has no rules and grants everything to every authenticated user.</summary>
    public bool AllowsEverything { get; private init; }

    /// <summary>The list that lets every authenticated user do everything.</summary>
    public static AccessList Everyone { get; } = new(null) { AllowsEverything = true };

    /// <summary>Reads an access file; a line that does not parse is an error naming its line number.</summary>
    public static AccessList Load(string path)
    {
        var rules = new List<Rule>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var line = raw.Split('#', 2)[0].Trim();
            if (line.Length == 0) { continue; }
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3)
            {
                throw new InvalidDataException($"{path}:{number}: expected 'user repository-pattern actions', got '{line}'");
            }
            var actions = new HashSet<string>(StringComparer.Ordinal);
            foreach (var action in fields[2].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                switch (action)
                {
                    case AccessScope.Pull: actions.Add(AccessScope.Pull); break;
                    case AccessScope.Push: actions.UnionWith([AccessScope.Pull, AccessScope.Push]); break;
                    case AccessScope.Delete or "*": actions.UnionWith([AccessScope.Pull, AccessScope.Push, AccessScope.Delete]); break;
                    default: throw new InvalidDataException($"{path}:{number}: unknown action '{action}' (pull, push or delete)");
                }
            }
            var pattern = "^" + Regex.Escape(fields[1]).Replace(@"\*", ".*", StringComparison.Ordinal) + @"\z";
            rules.Add(new Rule(fields[0], new Regex(pattern, RegexOptions.CultureInvariant), [.. actions]));
        }
        return new AccessList(rules);
    }

    /// <summary>True when <paramref name="user"/> may do <paramref name="action"/> to repository <paramref name="name"/>.</summary>
    public bool Allows(string user, string name, string action) =>
        AllowsEverything || _rules.Any(r => (r.User == "*" || r.User == user) && r.Actions.Contains(action) && r.Pattern.IsMatch(name));

    /// <summary>
    /// The part of <paramref name="requested"/> that <paramref name="user"/> gets. Repository
    /// scopes keep the actions the list allows (push brings pull along, so one token serves an
    /// upload's existence checks); the catalog is open to every authenticated user, who sees in
    /// it only the repositories they may pull. Unknown types are dropped.
    /// </summary>
    public IReadOnlyList<AccessScope> Grant(string user, IEnumerable<AccessScope> requested)
    {
        var granted = new List<AccessScope>();
        foreach (var scope in requested)
        {
            if (scope.Type == AccessScope.Registry && scope.Name == AccessScope.Catalog.Name)
            {
                granted.Add(AccessScope.Catalog);
                continue;
            }
            if (scope.Type != AccessScope.Repository || !RepositoryName.IsValid(scope.Name)) { continue; }
            var wanted = scope.Actions.Contains("*") ? [AccessScope.Pull, AccessScope.Push, AccessScope.Delete] : scope.Actions.ToList();
            if (wanted.Contains(AccessScope.Push)) { wanted.Add(AccessScope.Pull); }
            var allowed = new[] { AccessScope.Pull, AccessScope.Push, AccessScope.Delete }
                .Where(a => wanted.Contains(a) && Allows(user, scope.Name, a)).ToList();
            if (allowed.Count > 0) { granted.Add(scope with { Actions = allowed }); }
        }
        return granted;
    }
}
