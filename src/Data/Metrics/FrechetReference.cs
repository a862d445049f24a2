using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Data;

/// <summary>
/// The fixed side of repeated FID evaluations (e.g. a task's held-out set): keeps its mean, trace and
/// the pivoted Cholesky factor of its covariance, so each further distance costs one D×D×r product pair
/// and one eigenvalue computation.
/// </summary>
public sealed class FrechetReference
{
    private readonly double[] factor; // D×rank, Σ = L·Lᵀ
    private readonly double trace;

    public FeatureStatistics Statistics { get; }
    public int Rank { get; }

    public FrechetReference(FeatureStatistics statistics)
    {
        Statistics = statistics;
        int d = statistics.Dimension;
        for (int i = 0; i < statistics.Covariance.Length; i++)
            if (!double.IsFinite(statistics.Covariance[i])) throw new ArgumentException("covariance contains non-finite values");
        factor = PivotedCholesky.Factor(statistics.Covariance, d, out int rank);
        Rank = rank;
        for (int i = 0; i < d; i++) trace += statistics.Covariance[(long)i * d + i];
    }

    /// <summary>Tr((Σ_ref^{1/2} Σ Σ_ref^{1/2})^{1/2}) = Σᵢ √λᵢ(Lᵀ Σ L) for Σ_ref = L·Lᵀ.</summary>
    public double TraceSqrtOfProduct(double[] covariance)
    {
        int d = Statistics.Dimension;
        if (covariance.Length != (long)d * d) throw new ArgumentException($"covariance must be {d}×{d}");
        if (Rank == 0) return 0;
        double[] product = MatrixProduct.Multiply(covariance, factor, d, d, Rank);               // Σ·L, D×r
        double[] reduced = MatrixProduct.Multiply(MatrixProduct.Transpose(factor, d, Rank), product, Rank, d, Rank); // Lᵀ·Σ·L, r×r
        for (int i = 0; i < Rank; i++)
            for (int j = i + 1; j < Rank; j++)
            {
                double mean = 0.5 * (reduced[i * Rank + j] + reduced[j * Rank + i]);
                reduced[i * Rank + j] = reduced[j * Rank + i] = mean;
            }
        double total = 0;
        foreach (double eigenvalue in SymmetricEigen.Eigenvalues(reduced, Rank))
            total += Math.Sqrt(Math.Max(eigenvalue, 0));
        return total;
    }

    public double DistanceTo(FeatureStatistics other, double fallbackEpsilon = FrechetDistance.DefaultFallbackEpsilon) =>
        TermsTo(other, fallbackEpsilon).Distance;

    public FrechetDistanceTerms TermsTo(FeatureStatistics other, double fallbackEpsilon = FrechetDistance.DefaultFallbackEpsilon)
    {
        int d = Statistics.Dimension;
        if (other.Dimension != d) throw new ArgumentException($"feature dimensions differ: {d} vs {other.Dimension}");
        double meanTerm = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = Statistics.Mean[i] - other.Mean[i];
            meanTerm += diff * diff;
        }
        double otherTrace = 0;
        for (int i = 0; i < d; i++) otherTrace += other.Covariance[(long)i * d + i];
        if (!double.IsFinite(meanTerm) || !double.IsFinite(otherTrace)) throw new ArgumentException("feature statistics contain non-finite values");

        double traceSqrt = SafeTraceSqrt(this, other.Covariance);
        bool regularised = false;
        double totalTrace = trace + otherTrace;
        if (!double.IsFinite(traceSqrt))
        {
            // Fallback as in pytorch-fid: add ε·I to both covariances and try again.
            regularised = true;
            var shiftedReference = Shifted(Statistics, fallbackEpsilon);
            var shiftedOther = Shifted(other, fallbackEpsilon);
            traceSqrt = SafeTraceSqrt(new FrechetReference(shiftedReference), shiftedOther.Covariance);
            totalTrace += 2 * d * fallbackEpsilon;
            if (!double.IsFinite(traceSqrt))
                throw new ArithmeticException("matrix square root is not finite even after ε regularisation; check the features for degenerate values");
        }
        double traceTerm = totalTrace - 2 * traceSqrt;
        return new FrechetDistanceTerms(meanTerm, traceTerm, Math.Max(0, meanTerm + traceTerm), regularised);
    }

    private static double SafeTraceSqrt(FrechetReference reference, double[] covariance)
    {
        try { return reference.TraceSqrtOfProduct(covariance); }
        catch (ArithmeticException) { return double.NaN; }
    }

    private static FeatureStatistics Shifted(FeatureStatistics statistics, double epsilon)
    {
        int d = statistics.Dimension;
        double[] covariance = (double[])statistics.Covariance.Clone();
        for (int i = 0; i < d; i++) covariance[(long)i * d + i] += epsilon;
        return new FeatureStatistics(statistics.Mean, covariance, statistics.SampleCount);
    }
}
