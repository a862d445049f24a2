using NativeTrustRegion.Control;

namespace NativeTrustRegion.Experiments.Control;

/// <summary>The CW10 tasks by name, as the command line and configs write them ("push-wall", ...).</summary>
public static class ControlTaskList
{
    /// <summary>The ten CW10 task names in stream order.</summary>
    public static IReadOnlyList<string> Cw10 { get; } = ControlTaskNames.Cw10.Select(t => t.ToName()).ToArray();

    /// <summary>The task's canonical name ("Push-Wall-v2" → "push-wall").</summary>
    /// <exception cref="Engine.UsageException">The name is not a CW10 task; the message lists the valid names.</exception>
    public static string Canonical(string name) => ControlTaskNames.Parse(name).ToName();
}
