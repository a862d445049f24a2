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

    /// <summary>Mean and standard error multiplied by <paramref name="factor"/> (e.g. 100 for fractions reported in percent).</summary>
    public SeedStatistics Scaled(double factor) => new(Mean * factor, StandardError * factor, Count);

    /// <param name="meanSuffix">written right after the mean, e.g. "%" for "88.3% ± 0.4" as the paper prints success rates</param>
    public string Format(string numberFormat = "0.00", string meanSuffix = "") =>
        Count == 0 ? "—" : double.IsNaN(StandardError) ? $"{Mean.ToString(numberFormat, System.Globalization.CultureInfo.InvariantCulture)}{meanSuffix} (n=1)"
            : $"{Mean.ToString(numberFormat, System.Globalization.CultureInfo.InvariantCulture)}{meanSuffix} ± {StandardError.ToString(numberFormat, System.Globalization.CultureInfo.InvariantCulture)}";
}
