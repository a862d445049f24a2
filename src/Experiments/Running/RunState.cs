using NativeTrustRegion.Experiments.Results;

namespace NativeTrustRegion.Experiments.Running;

/// <summary>Where a run is and what it has measured so far (saved in every checkpoint).</summary>
public sealed class RunState
{
    public int Task { get; set; }

    public int StepInTask { get; set; }

    public long GlobalStep { get; set; }

    public required double?[][] Matrix { get; init; }

    public double?[][]? Secondary { get; init; }

    public List<ProbeRecord> Probes { get; init; } = new();

    public double WallSeconds { get; set; }

    /// <summary>Seconds spent in re-convergence probes (part of <see cref="WallSeconds"/>).</summary>
    public double ProbeSeconds { get; set; }

    public static RunState Fresh(int tasks, bool secondary) => new()
    {
        Matrix = Enumerable.Range(0, tasks).Select(i => new double?[i + 1]).ToArray(),
        Secondary = secondary ? Enumerable.Range(0, tasks).Select(i => new double?[i + 1]).ToArray() : null,
    };
}
