namespace NativeTrustRegion.Experiments.Metrics;

/// <summary>Mean and standard error of the mean over seeds (Table 1's "± standard error").</summary>
public readonly record struct SeedStatistics(double Mean, double StandardError, int Count)
{
    public static SeedStatistics Of(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return new SeedStatistics(double.NaN, double.NaN, 0);
        }
        var mean = finite.Average();
        if (finite.Length == 1)
        {
            return new SeedStatistics(mean, double.NaN, 1);
        }
        var variance = finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1);
        return new SeedStatistics(mean, Math.Sqrt(variance / finite.Length), finite.Length);
    }

    public string Format(string numberFormat = "0.00") =>
        Count == 0 ? "—" : double.IsNaN(StandardError) ? $"{Mean.ToString(numberFormat, System.Globalization.CultureInfo.InvariantCulture)} (n=1)"
            : $"{Mean.ToString(numberFormat, System.Globalization.CultureInfo.InvariantCulture)} ± {StandardError.ToString(numberFormat, System.Globalization.CultureInfo.InvariantCulture)}";
}
