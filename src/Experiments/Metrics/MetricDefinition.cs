namespace NativeTrustRegion.Experiments.Metrics;

public enum MetricDirection
{
    LowerIsBetter,
    HigherIsBetter,
}

/// <summary>What a per-task number means (e.g. "FID (feature net: ...)", lower is better; "success rate", higher).</summary>
public sealed record MetricDefinition(string Name, MetricDirection Direction, string Description)
{
    public bool LowerIsBetter => Direction == MetricDirection.LowerIsBetter;

    /// <summary>
    /// The values are fractions in [0, 1] (success rates) that reports print in percent, as the paper does; the run
    /// files (results.json, evaluations.jsonl, probes.csv) and summary.json keep the raw fractions.
    /// </summary>
    public bool Percent { get; init; }

    /// <summary>Factor from stored values to reported ones: 100 for <see cref="Percent"/> metrics, else 1.</summary>
    public double ReportScale => Percent ? 100 : 1;

    /// <summary>How much worse <paramref name="now"/> is than <paramref name="then"/> (positive = worse).</summary>
    public double Degradation(double then, double now) => LowerIsBetter ? now - then : then - now;
}
