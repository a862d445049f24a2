namespace NativeTrustRegion.Experiments.Metrics;

/// <summary>
/// One task's metric right after it was learned (the diagonal of the metric triangle, Matrix[j][j]) over a method's
/// seeds: the mean and the worst seed (highest for a lower-is-better metric), and the same for the secondary metric
/// (e.g. sample accuracy) when the runs have one. It says whether every task was learned at all, which the final
/// average cannot: a method that never learned a task shows little forgetting of it.
/// </summary>
public sealed record JustLearned(int Task, int Seeds, double Mean, double Worst, int WorstSeed, double? SecondaryMean, double? SecondaryWorst, int? SecondaryWorstSeed)
{
    /// <summary>Task <paramref name="task"/>'s diagonal over the runs that measured it; null when none did.</summary>
    /// <param name="runs">(seed, metric matrix, secondary matrix or null) per run</param>
    public static JustLearned? Of(int task, IReadOnlyList<(int Seed, double?[][] Matrix, double?[][]? Secondary)> runs, MetricDefinition metric, MetricDefinition? secondary)
    {
        static double? Diagonal(double?[][]? m, int j) => m is not null && j < m.Length && m[j] is { } row && j < row.Length ? row[j] : null;
        var values = runs.Where(r => Diagonal(r.Matrix, task).HasValue).Select(r => (r.Seed, Value: Diagonal(r.Matrix, task)!.Value)).ToList();
        if (values.Count == 0)
        {
            return null;
        }
        var worst = metric.LowerIsBetter ? values.MaxBy(v => v.Value) : values.MinBy(v => v.Value);
        double? secondaryMean = null, secondaryWorst = null;
        int? secondarySeed = null;
        var second = runs.Where(r => Diagonal(r.Secondary, task).HasValue).Select(r => (r.Seed, Value: Diagonal(r.Secondary, task)!.Value)).ToList();
        if (secondary is not null && second.Count > 0)
        {
            var w = secondary.LowerIsBetter ? second.MaxBy(v => v.Value) : second.MinBy(v => v.Value);
            (secondaryMean, secondaryWorst, secondarySeed) = (second.Average(v => v.Value), w.Value, w.Seed);
        }
        return new JustLearned(task, values.Count, values.Average(v => v.Value), worst.Value, worst.Seed, secondaryMean, secondaryWorst, secondarySeed);
    }
}
