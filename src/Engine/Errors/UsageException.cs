namespace NativeTrustRegion.Engine;

/// <summary>
/// The command line asked for something that does not exist or is not allowed: an unknown method, preset, data set,
/// device or task name, a value out of range, a path that does not exist. The message names the bad value and lists
/// the valid choices; `ntr` prints it without a stack trace and exits with code 2. Thrown before any work starts.
/// </summary>
public sealed class UsageException : ArgumentException
{
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>"unknown WHAT 'VALUE'; valid: a, b, c".</summary>
    public static UsageException Unknown(string what, string value, IEnumerable<string> valid) =>
        new($"unknown {what} '{value}'; valid: {string.Join(", ", valid)}");

    /// <summary>Throws unless <paramref name="value"/> ≥ <paramref name="minimum"/>, naming the option.</summary>
    public static void RequireAtLeast(string option, long value, long minimum)
    {
        if (value < minimum)
        {
            throw new UsageException($"{option} must be at least {minimum}, not {value}");
        }
    }
}
