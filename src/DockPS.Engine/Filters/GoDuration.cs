using System.Globalization;
using System.Text.RegularExpressions;

namespace DockPS.Engine.Filters;

/// <summary>Go's duration syntax ("1h30m", "10s", "250ms"), which Docker clients send for relative times.</summary>
public static partial class GoDuration
{
    [GeneratedRegex(@"^(?:(?<n>[0-9]+(?:\.[0-9]+)?)(?<u>ns|us|µs|ms|s|m|h))+$")]
    private static partial Regex Pattern();

    /// <summary>Parses a duration; false when the text is not one.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text);
        if (!match.Success) { return false; }
        for (var i = 0; i < match.Groups["n"].Captures.Count; i++)
        {
            var n = double.Parse(match.Groups["n"].Captures[i].Value, CultureInfo.InvariantCulture);
            duration += match.Groups["u"].Captures[i].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                "ms" => TimeSpan.FromMilliseconds(n),
                "us" or "µs" => TimeSpan.FromMicroseconds(n),
                _ => TimeSpan.FromTicks((long)(n / 100)),
            };
        }
        return true;
    }
}
