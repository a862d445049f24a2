namespace NativeTrustRegion.Experiments.Metrics;

/// <summary>
/// Steps to re-converge (the paper's Table 2 and Appendix D): after each transition to a later task i, the number of
/// gradient updates until task j's metric returns to a target relative to its value when first learned —
/// lower-is-better metrics: value ≤ (1 + τ)·initial, τ ∈ {10, 20, 30}%; higher-is-better: value ≥ α·initial,
/// α ∈ {99, 90, 80}%. Null ("—") when the target is never reached during task i.
/// </summary>
public static class Reconvergence
{
    public static readonly double[] RelativeIncreases = [0.10, 0.20, 0.30];

    public static readonly double[] SuccessFractions = [0.99, 0.90, 0.80];

    /// <summary>The thresholds of the paper for this metric direction, with their column labels.</summary>
    public static IReadOnlyList<(string Label, double Factor)> Thresholds(MetricDefinition metric) =>
        metric.LowerIsBetter
            ? RelativeIncreases.Select(t => ($"+{t * 100:0}%", 1 + t)).ToList()
            : SuccessFractions.Select(a => ($"{a * 100:0}%", a)).ToList();

    public static bool Reached(MetricDefinition metric, double initial, double value, double factor) =>
        metric.LowerIsBetter ? value <= factor * initial : value >= factor * initial;

    /// <summary>Steps until the target is reached during training of <paramref name="laterTask"/>, or null.</summary>
    public static int? StepsToReach(ProbeCurve curve, MetricDefinition metric, int laterTask, double factor, double? initial = null)
    {
        var baseline = initial ?? curve.ValueWhenLearned();
        if (baseline is null)
        {
            return null;
        }
        foreach (var p in curve.During(laterTask))
        {
            if (Reached(metric, baseline.Value, p.Value, factor))
            {
                return p.StepInTask;
            }
        }
        return null;
    }

    /// <summary>Table rows per threshold, columns per later task (task j+1 .. tasks−1).</summary>
    public static ReconvergenceTable Table(ProbeCurve curve, MetricDefinition metric, int tasks)
    {
        var thresholds = Thresholds(metric);
        var later = Enumerable.Range(curve.Task + 1, Math.Max(0, tasks - curve.Task - 1)).ToArray();
        var cells = new int?[thresholds.Count][];
        for (var t = 0; t < thresholds.Count; t++)
        {
            cells[t] = later.Select(i => StepsToReach(curve, metric, i, thresholds[t].Factor)).ToArray();
        }
        return new ReconvergenceTable(curve.Task, thresholds.Select(t => t.Label).ToArray(), later, cells);
    }
}

/// <summary>Steps-to-re-converge of one task: Cells[threshold][k] for transition to LaterTasks[k] (null = never).</summary>
public sealed record ReconvergenceTable(int Task, string[] Thresholds, int[] LaterTasks, int?[][] Cells);
