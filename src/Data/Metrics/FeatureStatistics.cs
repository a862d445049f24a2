namespace NativeTrustRegion.Data;

/// <summary>
/// Mean and covariance (unbiased, divided by N−1 as numpy's <c>np.cov</c> and torchmetrics) of a set of
/// feature vectors, in double precision. Covariance is stored row-major, D×D.
/// </summary>
public sealed class FeatureStatistics
{
    public int Dimension { get; }
    public long SampleCount { get; }
    public double[] Mean { get; }
    public double[] Covariance { get; }

    public FeatureStatistics(double[] mean, double[] covariance, long sampleCount)
    {
        if (covariance.Length != (long)mean.Length * mean.Length)
            throw new ArgumentException($"covariance has {covariance.Length} entries; a {mean.Length}-dimensional mean needs {mean.Length}²");
        Dimension = mean.Length;
        Mean = mean;
        Covariance = covariance;
        SampleCount = sampleCount;
    }

    public double CovarianceAt(int row, int column) => Covariance[(long)row * Dimension + column];

    /// <summary>Statistics of <paramref name="n"/> feature rows of length <paramref name="d"/> (row-major).</summary>
    public static FeatureStatistics FromFeatures(ReadOnlySpan<float> features, int n, int d)
    {
        var accumulator = new FeatureStatisticsAccumulator(d);
        accumulator.Add(features, n);
        return accumulator.ToStatistics();
    }

    /// <inheritdoc cref="FromFeatures(ReadOnlySpan{float}, int, int)"/>
    public static FeatureStatistics FromFeatures(ReadOnlySpan<double> features, int n, int d)
    {
        var accumulator = new FeatureStatisticsAccumulator(d);
        accumulator.Add(features, n);
        return accumulator.ToStatistics();
    }

    /// <summary>Statistics given analytically (e.g. a known Gaussian), for tests and references.</summary>
    public static FeatureStatistics FromMoments(double[] mean, double[,] covariance)
    {
        int d = mean.Length;
        if (covariance.GetLength(0) != d || covariance.GetLength(1) != d) throw new ArgumentException("covariance must be D×D");
        var flat = new double[d * d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                flat[i * d + j] = covariance[i, j];
        return new FeatureStatistics((double[])mean.Clone(), flat, long.MaxValue);
    }
}
