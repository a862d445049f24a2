using System.Reflection;
using System.Text.Json.Serialization;

namespace NativeTrustRegion.Experiments.Configuration;

/// <summary>
/// The names config.json gives an enum's values, read from their <see cref="JsonStringEnumMemberNameAttribute"/>, so
/// each name is written once (on the enum) and messages use the same spelling as the file.
/// </summary>
public static class JsonEnumNames<T> where T : struct, Enum
{
    private static readonly Dictionary<T, string> Names = typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
        .ToDictionary(f => (T)f.GetValue(null)!, f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

    /// <summary>Every value's name, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = Names.Values.ToArray();

    public static string Of(T value) =>
        Names.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(T).Name} (valid: {string.Join(", ", All)})");
}
