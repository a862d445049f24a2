using NativeTrustRegion.Engine;
namespace NativeTrustRegion.Control;

/// <summary>Meta-World style names of the <see cref="ControlTask"/> values ("push-wall", ...) and CW10 order.</summary>
public static class ControlTaskNames
{
    public static IReadOnlyList<string> Names { get; } =
    [
        "hammer", "push-wall", "faucet-close", "push-back", "stick-pull",
        "handle-press-side", "push", "shelf-place", "window-close", "peg-unplug-side",
    ];

    /// <summary>The CW10 task sequence in order.</summary>
    public static IReadOnlyList<ControlTask> Cw10 { get; } = Enum.GetValues<ControlTask>();

    public static string ToName(this ControlTask task) => Names[(int)task];

    public static bool TryParse(string name, out ControlTask task)
    {
        string normalized = name.Trim().ToLowerInvariant();
        if (normalized.EndsWith("-v2", StringComparison.Ordinal) || normalized.EndsWith("-v1", StringComparison.Ordinal))
        {
            normalized = normalized[..^3];
        }
        int index = Names.ToList().IndexOf(normalized);
        task = index >= 0 ? (ControlTask)index : default;
        return index >= 0;
    }

    /// <exception cref="UsageException">The name is not a CW10 task; the message lists the valid names.</exception>
    public static ControlTask Parse(string name)
    {
        if (TryParse(name, out ControlTask task))
        {
            return task;
        }
        throw UsageException.Unknown("control task", name, Names);
    }
}
