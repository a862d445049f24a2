using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace NativeTrustRegion.Data;

/// <summary>The two parts of a Fréchet distance and whether the ε fallback was needed.</summary>
public readonly record struct FrechetDistanceTerms(double MeanTerm, double TraceTerm, double Distance, bool Regularised);

/// <summary>
/// Fréchet distance between two Gaussians fitted to feature sets (the math of FID, Heusel et al. 2017):
/// d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}), in double precision.
/// Tr((Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}) = Σᵢ √λᵢ of the symmetric PSD matrix Σ₁^{1/2} Σ₂ Σ₁^{1/2}, where
/// Σ₁^{1/2} comes from a symmetric eigendecomposition with tiny negative eigenvalues (rounding)
/// clamped to 0 — stable for singular covariances too (e.g. fewer samples than dimensions).
/// If the decomposition still yields non-finite values, ε·I is added to both covariances and it is
/// retried, as pytorch-fid does. The result is clamped to ≥ 0.
/// </summary>
public static class FrechetDistance
{
    public const double DefaultFallbackEpsilon = 1e-6;

    public static double Compute(FeatureStatistics first, FeatureStatistics second, double fallbackEpsilon = DefaultFallbackEpsilon) =>
        ComputeTerms(first, second, fallbackEpsilon).Distance;

    /// <summary>FID between two raw feature sets (N₁×D and N₂×D, row-major).</summary>
    public static double Compute(ReadOnlySpan<float> first, int n1, ReadOnlySpan<float> second, int n2, int d) =>
        Compute(FeatureStatistics.FromFeatures(first, n1, d), FeatureStatistics.FromFeatures(second, n2, d));

    public static FrechetDistanceTerms ComputeTerms(FeatureStatistics first, FeatureStatistics second, double fallbackEpsilon = DefaultFallbackEpsilon)
    {
        if (first.Dimension != second.Dimension)
            throw new ArgumentException($"feature dimensions differ: {first.Dimension} vs {second.Dimension}");
        int d = first.Dimension;
        double meanTerm = 0;
        for (int i = 0; i < d; i++)
        {
            double diff = first.Mean[i] - second.Mean[i];
            meanTerm += diff * diff;
        }
        Matrix<double> sigma1 = ToMatrix(first);
        Matrix<double> sigma2 = ToMatrix(second);
        double trace = sigma1.Trace() + sigma2.Trace();
        if (!double.IsFinite(meanTerm) || !double.IsFinite(trace))
            throw new ArgumentException("feature statistics contain non-finite values");

        bool regularised = false;
        double traceSqrt = TraceSqrtOfProduct(sigma1, sigma2);
        if (!double.IsFinite(traceSqrt))
        {
            regularised = true;
            Matrix<double> offset = Matrix<double>.Build.DenseIdentity(d) * fallbackEpsilon;
            sigma1 += offset;
            sigma2 += offset;
            trace = sigma1.Trace() + sigma2.Trace();
            traceSqrt = TraceSqrtOfProduct(sigma1, sigma2);
            if (!double.IsFinite(traceSqrt))
                throw new ArithmeticException("matrix square root is not finite even after ε regularisation; check the features for degenerate values");
        }
        double traceTerm = trace - 2 * traceSqrt;
        double distance = Math.Max(0, meanTerm + traceTerm);
        return new FrechetDistanceTerms(meanTerm, traceTerm, distance, regularised);
    }

    /// <summary>Tr((Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}) = Tr((Σ₁Σ₂)^{1/2}).</summary>
    public static double TraceSqrtOfProduct(Matrix<double> sigma1, Matrix<double> sigma2)
    {
        try
        {
            Matrix<double> root1 = SymmetricSquareRoot(sigma1);
            Matrix<double> product = root1 * sigma2 * root1;
            product = (product + product.Transpose()) * 0.5;
            Evd<double> evd = product.Evd(Symmetricity.Symmetric);
            double total = 0;
            foreach (System.Numerics.Complex eigenvalue in evd.EigenValues)
                total += Math.Sqrt(Math.Max(eigenvalue.Real, 0));
            return total;
        }
        catch (Exception e) when (e is ArithmeticException or MathNet.Numerics.NonConvergenceException or ArgumentException)
        {
            return double.NaN;
        }
    }

    /// <summary>Principal square root of a symmetric positive semi-definite matrix via V·diag(√max(λ, 0))·Vᵀ.</summary>
    public static Matrix<double> SymmetricSquareRoot(Matrix<double> matrix)
    {
        Matrix<double> symmetric = (matrix + matrix.Transpose()) * 0.5;
        Evd<double> evd = symmetric.Evd(Symmetricity.Symmetric);
        Matrix<double> vectors = evd.EigenVectors;
        var roots = Vector<double>.Build.Dense(matrix.RowCount, i => Math.Sqrt(Math.Max(evd.EigenValues[i].Real, 0)));
        return vectors * Matrix<double>.Build.DiagonalOfDiagonalVector(roots) * vectors.Transpose();
    }

    private static Matrix<double> ToMatrix(FeatureStatistics statistics)
    {
        int d = statistics.Dimension;
        return Matrix<double>.Build.Dense(d, d, (i, j) => statistics.Covariance[(long)i * d + j]);
    }
}
