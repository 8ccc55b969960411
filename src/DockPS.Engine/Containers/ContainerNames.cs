using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace DockPS.Engine.Containers;

/// <summary>Container names: Docker's rule for given names, and readable generated ones.</summary>
public static partial class ContainerNames
{
    [GeneratedRegex("^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")]
    private static partial Regex ValidName();

    /// <summary>The name without its optional leading slash.</summary>
    /// <exception cref="ArgumentException">The name breaks Docker's rule.</exception>
    public static string Validate(string name)
    {
        if (!ValidName().IsMatch(name))
        {
            throw new ArgumentException($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
        return name.TrimStart('/');
    }

    // Two small word lists of our own: 48 × 48 pairs, then a number when they run out.
    private static readonly string[] Moods =
    [
        "agile", "bold", "brave", "bright", "calm", "clever", "cosy", "crisp", "daring", "eager",
        "fancy", "fierce", "gentle", "glad", "grand", "happy", "hardy", "jolly", "keen", "kind",
        "lively", "lucid", "merry", "mellow", "neat", "nimble", "noble", "patient", "plucky", "polite",
        "proud", "quick", "quiet", "rapid", "ready", "serene", "sharp", "shiny", "smart", "snappy",
        "steady", "sturdy", "swift", "tidy", "trusty", "vivid", "witty", "zesty",
    ];

    private static readonly string[] Things =
    [
        "anchor", "badger", "beacon", "birch", "bison", "canyon", "cedar", "comet", "condor", "coral",
        "crane", "delta", "dune", "falcon", "fern", "fjord", "gecko", "glacier", "harbor", "heron",
        "island", "jaguar", "kestrel", "lagoon", "lantern", "lynx", "maple", "meadow", "meteor", "otter",
        "owl", "panda", "pebble", "pine", "prairie", "quartz", "raven", "reef", "river", "sparrow",
        "summit", "thistle", "tiger", "tundra", "valley", "walrus", "willow", "zephyr",
    ];

    /// <summary>A free generated name such as <c>swift_otter</c>.</summary>
    public static string Generate(Func<string, bool> taken)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var name = $"{Moods[RandomNumberGenerator.GetInt32(Moods.Length)]}_{Things[RandomNumberGenerator.GetInt32(Things.Length)]}";
            if (attempt >= 10) { name += RandomNumberGenerator.GetInt32(1, 100).ToString(System.Globalization.CultureInfo.InvariantCulture); }
            if (!taken(name)) { return name; }
        }
        return "c_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    }
}
