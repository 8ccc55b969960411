using System.Globalization;

namespace DockPS.Engine.Containers;

/// <summary>Signal names and numbers as Linux (x86_64 and arm64) numbers them.</summary>
public static class Signals
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = 1, ["INT"] = 2, ["QUIT"] = 3, ["ILL"] = 4, ["TRAP"] = 5, ["ABRT"] = 6, ["IOT"] = 6, ["BUS"] = 7,
        ["FPE"] = 8, ["KILL"] = 9, ["USR1"] = 10, ["SEGV"] = 11, ["USR2"] = 12, ["PIPE"] = 13, ["ALRM"] = 14,
        ["TERM"] = 15, ["STKFLT"] = 16, ["CHLD"] = 17, ["CONT"] = 18, ["STOP"] = 19, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["XCPU"] = 24, ["XFSZ"] = 25, ["VTALRM"] = 26, ["PROF"] = 27, ["WINCH"] = 28,
        ["IO"] = 29, ["POLL"] = 29, ["PWR"] = 30, ["SYS"] = 31,
    };

    /// <summary>SIGKILL.</summary>
    public const int Kill = 9;

    /// <summary>The number of <c>SIGTERM</c>, <c>TERM</c>, <c>15</c> or <c>SIGRTMIN+3</c>.</summary>
    /// <exception cref="ArgumentException">Not a signal.</exception>
    public static int Parse(string signal)
    {
        var text = signal.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is > 0 and <= 64 ? number : throw new ArgumentException($"invalid signal: {signal}");
        }
        var name = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        if (ByName.TryGetValue(name, out number)) { return number; }
        // Real-time signals: glibc reserves 32 and 33, so SIGRTMIN is 34 and SIGRTMAX 64.
        if (name.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase) && RealTime(name[5..], 34, +1) is { } low) { return low; }
        if (name.StartsWith("RTMAX", StringComparison.OrdinalIgnoreCase) && RealTime(name[5..], 64, -1) is { } high) { return high; }
        throw new ArgumentException($"invalid signal: {signal}");
    }

    private static int? RealTime(string offset, int baseNumber, int direction)
    {
        if (offset.Length == 0) { return baseNumber; }
        var sign = offset[0] == '+' ? 1 : offset[0] == '-' ? -1 : 0;
        if (sign == 0 || !int.TryParse(offset[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)) { return null; }
        var value = baseNumber + sign * n;
        return value is >= 34 and <= 64 && Math.Sign(sign) == direction ? value : null;
    }
}
