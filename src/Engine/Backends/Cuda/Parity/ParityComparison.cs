namespace NativeTrustRegion.Engine.Backends.Cuda;

/// <summary>The error metric of the parity suite.</summary>
public static class ParityComparison
{
    /// <summary>max|a − b| / max|reference| (absolute when the reference is all zeros); NaN anywhere gives NaN; length mismatch gives +∞.</summary>
    public static double RelativeError(ReadOnlySpan<double> actual, ReadOnlySpan<double> reference)
    {
        if (actual.Length != reference.Length)
        {
            return double.PositiveInfinity;
        }
        double diff = 0, scale = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            if (double.IsNaN(actual[i]) || double.IsNaN(reference[i]))
            {
                return double.NaN;
            }
            diff = Math.Max(diff, Math.Abs(actual[i] - reference[i]));
            scale = Math.Max(scale, Math.Abs(reference[i]));
        }
        return scale > 0 ? diff / scale : diff;
    }
}
