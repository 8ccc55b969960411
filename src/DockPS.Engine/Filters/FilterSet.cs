using System.Text.Json;

namespace DockPS.Engine.Filters;

/// <summary>
/// Docker's filter arguments: each key holds a set of values; keys combine with AND, the values
/// of one key with OR. Every list endpoint and the event stream take them.
/// </summary>
public sealed class FilterSet
{
    private readonly Dictionary<string, HashSet<string>> _values;

    /// <summary>A filter set with no keys, matching everything.</summary>
    public static FilterSet Empty { get; } = new(new Dictionary<string, HashSet<string>>());

    private FilterSet(Dictionary<string, HashSet<string>> values) => _values = values;

    /// <summary>Builds a filter set from key/value pairs.</summary>
    public static FilterSet From(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var values = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (!values.TryGetValue(key, out var set)) { values[key] = set = new HashSet<string>(StringComparer.Ordinal); }
            set.Add(value);
        }
        return new FilterSet(values);
    }

    /// <summary>
    /// Parses the JSON of a <c>filters</c> query parameter. Both of Docker's shapes are read:
    /// <c>{"key":["v"]}</c> (current) and <c>{"key":{"v":true}}</c> (what older clients send).
    /// </summary>
    /// <exception cref="FilterException">The text is not one of those shapes.</exception>
    public static FilterSet Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) { return Empty; }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw new FilterException($"invalid filter: {e.Message}"); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FilterException("invalid filter: expected a JSON object of filter names to values");
            }
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var key in doc.RootElement.EnumerateObject())
            {
                switch (key.Value.ValueKind)
                {
                    case JsonValueKind.Array:
                        foreach (var v in key.Value.EnumerateArray())
                        {
                            if (v.ValueKind != JsonValueKind.String) { throw BadValue(key.Name); }
                            pairs.Add(new(key.Name, v.GetString()!));
                        }
                        break;
                    case JsonValueKind.Object:
                        foreach (var v in key.Value.EnumerateObject())
                        {
                            if (v.Value.ValueKind == JsonValueKind.True) { pairs.Add(new(key.Name, v.Name)); }
                            else if (v.Value.ValueKind != JsonValueKind.False) { throw BadValue(key.Name); }
                        }
                        break;
                    default:
                        throw BadValue(key.Name);
                }
            }
            return From(pairs);
        }
    }

    private static FilterException BadValue(string key) =>
        new($"invalid filter '{key}': values must be a list of strings");

    /// <summary>The keys present.</summary>
    public IEnumerable<string> Keys => _values.Keys;

    /// <summary>Whether <paramref name="key"/> is present.</summary>
    public bool Contains(string key) => _values.ContainsKey(key);

    /// <summary>The values of <paramref name="key"/> (empty when absent).</summary>
    public IReadOnlyCollection<string> Get(string key) =>
        _values.TryGetValue(key, out var set) ? set : Array.Empty<string>();

    /// <summary>Rejects keys the caller does not support, as dockerd does ("invalid filter 'x'").</summary>
    public void Validate(IReadOnlySet<string> accepted)
    {
        foreach (var key in _values.Keys)
        {
            if (!accepted.Contains(key)) { throw new FilterException($"invalid filter '{key}'"); }
        }
    }

    /// <summary>True when the key is absent or one of its values equals <paramref name="source"/>.</summary>
    public bool ExactMatch(string key, string? source) =>
        !_values.TryGetValue(key, out var set) || (source is not null && set.Contains(source));

    /// <summary>True when the key is absent or one of its values equals or prefixes <paramref name="source"/>.</summary>
    public bool FuzzyMatch(string key, string? source) =>
        !_values.TryGetValue(key, out var set) ||
        (source is not null && set.Any(v => source.StartsWith(v, StringComparison.Ordinal)));

    /// <summary>
    /// True when the key is absent or one of its values (<c>k</c> or <c>k=v</c>) is satisfied
    /// by <paramref name="labels"/>: the label-filter rule of every Docker list.
    /// </summary>
    public bool MatchLabels(string key, IReadOnlyDictionary<string, string>? labels)
    {
        if (!_values.TryGetValue(key, out var set)) { return true; }
        if (labels is null) { return false; }
        return set.All(want =>
        {
            var eq = want.IndexOf('=');
            return eq < 0
                ? labels.ContainsKey(want)
                : labels.TryGetValue(want[..eq], out var have) && have == want[(eq + 1)..];
        });
    }

    /// <summary>
    /// True unless the key is present and all of its values (<c>k</c> or <c>k=v</c>) are satisfied
    /// by <paramref name="labels"/>: the <c>label!</c> rule of prune, as Docker applies it.
    /// </summary>
    public bool MatchNoLabel(string key, IReadOnlyDictionary<string, string>? labels) =>
        !_values.ContainsKey(key) || !MatchLabels(key, labels);

    /// <summary>The earliest <c>until</c> time (Unix seconds, an RFC 3339 date, or a duration before now); MaxValue when absent.</summary>
    /// <exception cref="FilterException">A value that is none of these.</exception>
    public DateTimeOffset Until(DateTimeOffset now) => Get("until").Select(text =>
        long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var unix) ? DateTimeOffset.FromUnixTimeSeconds(unix)
        : DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t
        : GoDuration.TryParse(text, out var ago) ? now - ago
        : throw new FilterException($"invalid filter 'until={text}': use a Unix time, an RFC 3339 date or a duration (24h)"))
        .DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
}

/// <summary>A filter that is malformed or names an unsupported key.</summary>
public sealed class FilterException(string message) : ArgumentException(message);
