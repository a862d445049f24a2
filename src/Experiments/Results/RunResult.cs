using NativeTrustRegion.Experiments.Metrics;

namespace NativeTrustRegion.Experiments.Results;

/// <summary>One probe value as stored in a run's results.</summary>
public sealed record ProbeRecord(int Task, long Step, int TrainingTask, int StepInTask, double Value);

/// <summary>
/// Everything a report needs from one run (one method, one seed): the task metric triangle, the probe curves of every
/// task, and bookkeeping. Stored as results.json in the run folder.
/// </summary>
public sealed record RunResult
{
    public required string Method { get; init; }

    public required int Seed { get; init; }

    public required string Preset { get; init; }

    public required MetricDefinition Metric { get; init; }

    public required MetricDefinition ProbeMetric { get; init; }

    public required string[] TaskNames { get; init; }

    public required int StepsPerTask { get; init; }

    /// <summary>Matrix[i][j]: metric of task j after task i (j ≤ i), null when not measured.</summary>
    public required double?[][] Matrix { get; init; }

    /// <summary>Secondary per-task metric (e.g. sample accuracy of the feature classifier), same layout, or null.</summary>
    public double?[][]? SecondaryMatrix { get; init; }

    public MetricDefinition? SecondaryMetric { get; init; }

    public required List<ProbeRecord> Probes { get; init; }

    public double WallSeconds { get; init; }

    /// <summary>Seconds of <see cref="WallSeconds"/> spent in re-convergence probes (FID probes cost far more than loss probes).</summary>
    public double ProbeSeconds { get; init; }

    public string? Notes { get; init; }

    public TaskMetricMatrix MetricMatrix() => TaskMetricMatrix.FromJagged(Matrix, Metric);

    public ProbeCurve Curve(int task)
    {
        var curve = new ProbeCurve(task);
        foreach (var p in Probes.Where(p => p.Task == task).OrderBy(p => p.Step))
        {
            curve.Add(new ProbePoint(p.Step, p.TrainingTask, p.StepInTask, p.Value));
        }
        return curve;
    }
}
