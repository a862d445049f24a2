using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace NativeTrustRegion.Data;

/// <summary>The two parts of a Fréchet distance and whether the ε fallback was needed.</summary>
public readonly record struct FrechetDistanceTerms(double MeanTerm, double TraceTerm, double Distance, bool Regularised);

/// <summary>
/// Fréchet distance between two Gaussians fitted to feature sets (the math of FID, Heusel et al. 2017):
/// d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}), in double precision.
/// <para>
/// The trace of the square root equals Σᵢ √λᵢ of any symmetric PSD matrix similar to Σ₁Σ₂. With a
/// rank-revealing pivoted Cholesky factor Σ₁ = L·Lᵀ (L is D×r), that matrix is the r×r matrix
/// Lᵀ Σ₂ L, whose eigenvalues come from a symmetric tridiagonal eigensolver; tiny negative
/// eigenvalues from rounding are clamped to 0. This is exact for singular covariances (fewer samples
/// than dimensions) and ~10× faster than MathNet's managed eigendecomposition (D = 512: about a second).
/// If it still yields a non-finite value, ε·I is added to both covariances and it is retried, as
/// pytorch-fid does. The result is clamped to ≥ 0.
/// </para>
/// <see cref="TraceSqrtOfProductByEigendecomposition"/> is the textbook route (Σ₁^{1/2} by symmetric
/// eigendecomposition, MathNet) kept as an independent cross-check.
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
        return new FrechetReference(first).TermsTo(second, fallbackEpsilon);
    }

    /// <summary>Reference route: Tr((Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}) via two MathNet symmetric eigendecompositions.</summary>
    public static double TraceSqrtOfProductByEigendecomposition(Matrix<double> sigma1, Matrix<double> sigma2)
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

    /// <summary>Principal square root of a symmetric positive semi-definite matrix via V·diag(√max(λ, 0))·Vᵀ.</summary>
    public static Matrix<double> SymmetricSquareRoot(Matrix<double> matrix)
    {
        Matrix<double> symmetric = (matrix + matrix.Transpose()) * 0.5;
        Evd<double> evd = symmetric.Evd(Symmetricity.Symmetric);
        Matrix<double> vectors = evd.EigenVectors;
        var roots = Vector<double>.Build.Dense(matrix.RowCount, i => Math.Sqrt(Math.Max(evd.EigenValues[i].Real, 0)));
        return vectors * Matrix<double>.Build.DiagonalOfDiagonalVector(roots) * vectors.Transpose();
    }
}
