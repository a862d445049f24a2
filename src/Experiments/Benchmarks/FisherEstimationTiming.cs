namespace NativeTrustRegion.Experiments.Benchmarks;

/// <summary>One Fisher estimate (FisherEstimate.Estimate: two passes of per-sample gradients) over some samples, wall seconds.</summary>
public sealed record FisherEstimationTiming(int Samples, double Seconds)
{
    public double SecondsPerSample => Seconds / Samples;
}
