using System.CommandLine;

namespace NativeTrustRegion.Cli.Commands.Bench;

/// <summary>The command as typed ("ntr bench train --preset …"), rebuilt from the parsed tokens, for reports.</summary>
internal static class CommandLineText
{
    public static string Of(ParseResult parse) =>
        "ntr " + string.Join(' ', parse.Tokens.Select(t => t.Value.Contains(' ') ? $"\"{t.Value}\"" : t.Value));
}
