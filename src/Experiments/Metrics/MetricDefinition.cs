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

    /// <summary>How much worse <paramref name="now"/> is than <paramref name="then"/> (positive = worse).</summary>
    public double Degradation(double then, double now) => LowerIsBetter ? now - then : then - now;
}
