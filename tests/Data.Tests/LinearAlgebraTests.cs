using MathNet.Numerics.LinearAlgebra;
using NativeTrustRegion.Engine;

namespace NativeTrustRegion.Data.Tests;

public class LinearAlgebraTests
{
    private static double[] Random(int count, ulong seed)
    {
        var random = new DeterministicRandom(seed);
        return Enumerable.Range(0, count).Select(_ => random.NextGaussian()).ToArray();
    }

    /// <summary>A random symmetric PSD matrix of the given rank: G·Gᵀ with G n×rank.</summary>
    private static double[] LowRankCovariance(int n, int rank, ulong seed)
    {
        double[] g = Random(n * rank, seed);
        return MatrixProduct.Multiply(g, MatrixProduct.Transpose(g, n, rank), n, rank, n);
    }

    [Theory]
    [InlineData(7, 5, 9)]
    [InlineData(70, 300, 65)]
    [InlineData(1, 3, 1)]
    public void MultiplyMatchesTheNaiveProduct(int m, int k, int n)
    {
        double[] a = Random(m * k, 1), b = Random(k * n, 2);
        double[] c = MatrixProduct.Multiply(a, b, m, k, n);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = 0;
                for (int p = 0; p < k; p++) expected += a[i * k + p] * b[p * n + j];
                Assert.Equal(expected, c[i * n + j], 1e-11);
            }
    }

    [Fact]
    public void PivotedCholeskyRevealsTheRankAndReproducesTheMatrix()
    {
        const int n = 12;
        double[] sigma = LowRankCovariance(n, 4, 3);
        double[] l = PivotedCholesky.Factor(sigma, n, out int rank);
        Assert.Equal(4, rank);
        double[] back = MatrixProduct.Multiply(l, MatrixProduct.Transpose(l, n, rank), n, rank, n);
        double scale = sigma.Max(Math.Abs);
        for (int i = 0; i < n * n; i++) Assert.True(Math.Abs(back[i] - sigma[i]) < 1e-12 * scale * n, $"entry {i}: {back[i]} vs {sigma[i]}");

        double[] full = LowRankCovariance(n, 20, 4);
        PivotedCholesky.Factor(full, n, out int fullRank);
        Assert.Equal(n, fullRank);
        PivotedCholesky.Factor(new double[n * n], n, out int zeroRank);
        Assert.Equal(0, zeroRank);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(60)]
    public void EigenvaluesMatchMathNet(int n)
    {
        double[] g = Random(n * n, (ulong)n);
        var m = Matrix<double>.Build.Dense(n, n, (i, j) => g[i * n + j] + g[j * n + i]); // symmetric, indefinite
        double[] ours = SymmetricEigen.Eigenvalues(m.ToRowMajorArray(), n);
        double[] reference = m.Evd(Symmetricity.Symmetric).EigenValues.Select(v => v.Real).Order().ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(reference[i], ours[i], 1e-9);
    }

    [Fact]
    public void EigenvaluesOfDiagonalAndRepeatedSpectraAreExact()
    {
        Assert.Equal([-2.0, 0.5, 3.0], SymmetricEigen.Eigenvalues([3, 0, 0, 0, -2, 0, 0, 0, 0.5], 3));
        double[] ones = Enumerable.Repeat(1.0, 16).ToArray(); // 4×4 all-ones: eigenvalues 0, 0, 0, 4
        double[] values = SymmetricEigen.Eigenvalues(ones, 4);
        Assert.Equal(4.0, values[3], 1e-12);
        Assert.All(values[..3], v => Assert.InRange(v, -1e-12, 1e-12));
    }

    [Theory]
    [InlineData(8, 8, 8)]
    [InlineData(10, 3, 10)] // singular first covariance
    [InlineData(10, 10, 2)] // singular second covariance
    [InlineData(40, 15, 25)]
    public void TraceSquareRootAgreesWithTheEigendecompositionRoute(int d, int rank1, int rank2)
    {
        double[] s1 = LowRankCovariance(d, rank1, 10), s2 = LowRankCovariance(d, rank2, 11);
        var first = new FeatureStatistics(new double[d], s1, 100);
        double ours = new FrechetReference(first).TraceSqrtOfProduct(s2);
        double reference = FrechetDistance.TraceSqrtOfProductByEigendecomposition(
            Matrix<double>.Build.Dense(d, d, (i, j) => s1[i * d + j]), Matrix<double>.Build.Dense(d, d, (i, j) => s2[i * d + j]));
        // Singular products: √ of rounding-level eigenvalues (~1e-15·scale) may add ~1e-7 per dimension on either route.
        Assert.InRange(ours - reference, -1e-6 * d, 1e-6 * d);
    }

    [Fact]
    public void ReferenceReuseGivesTheSameDistances()
    {
        double[] x = Random(300 * 6, 20), y = Random(300 * 6, 21).Select(v => 1.5 * v + 0.2).ToArray();
        FeatureStatistics sx = FeatureStatistics.FromFeatures(x, 300, 6), sy = FeatureStatistics.FromFeatures(y, 300, 6);
        var reference = new FrechetReference(sx);
        Assert.Equal(FrechetDistance.Compute(sx, sy), reference.DistanceTo(sy), 1e-12);
        Assert.InRange(reference.DistanceTo(sx), 0, 1e-10);
        Assert.Equal(6, reference.Rank);
    }
}
