using System.Globalization;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Cli.Commands;

/// <summary>Comma-separated option values ("--seeds 1,2,3", "--timesteps 0,500,999"), parsed or rejected with a <see cref="UsageException"/>.</summary>
internal static class CommandLineLists
{
    public static string[] Split(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Non-empty list of names, e.g. --methods.</summary>
    public static string[] Names(string option, string text, IEnumerable<string> valid)
    {
        var names = Split(text);
        if (names.Length == 0)
        {
            throw new UsageException($"{option} is empty; valid: {string.Join(", ", valid)}");
        }
        return names;
    }

    public static ulong[] Seeds(string option, string text)
    {
        var parts = Split(text);
        if (parts.Length == 0)
        {
            throw new UsageException($"{option} is empty; give whole numbers ≥ 0, e.g. {option} 1,2,3");
        }
        return parts.Select(p => ulong.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? s
            : throw new UsageException($"{option}: '{p}' is not a seed; give whole numbers ≥ 0, e.g. {option} 1,2,3")).ToArray();
    }

    /// <summary>Whole numbers in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static int[] Integers(string option, string text, int min, int max)
    {
        var parts = Split(text);
        if (parts.Length == 0)
        {
            throw new UsageException($"{option} is empty; give whole numbers from {min} to {max}");
        }
        return parts.Select(p => int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{option}: '{p}' is not a whole number from {min} to {max}")).ToArray();
    }
}
