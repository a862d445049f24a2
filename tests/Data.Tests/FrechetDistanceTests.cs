using MathNet.Numerics.LinearAlgebra;

namespace NativeTrustRegion.Data.Tests;

public class FrechetDistanceTests
{
    /// <summary>n samples of N(mean, L·Lᵀ) as row-major doubles.</summary>
    private static double[] Gaussian(int n, double[] mean, double[,] cholesky, ulong seed)
    {
        int d = mean.Length;
        var random = new DeterministicRandom(seed);
        var z = new double[d];
        var rows = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < d; k++) z[k] = random.NextGaussian();
            for (int r = 0; r < d; r++)
            {
                double v = mean[r];
                for (int k = 0; k <= r; k++) v += cholesky[r, k] * z[k];
                rows[i * d + r] = v;
            }
        }
        return rows;
    }

    private static double[,] Diagonal(params double[] values)
    {
        var m = new double[values.Length, values.Length];
        for (int i = 0; i < values.Length; i++) m[i, i] = values[i];
        return m;
    }

    /// <summary>Q·diag(eigenvalues)·Qᵀ with Q a fixed 3-D rotation (non-diagonal in the standard basis).</summary>
    private static double[,] Rotated(params double[] eigenvalues)
    {
        Matrix<double> q = Matrix<double>.Build.DenseOfArray(new double[,]
        {
            { 2.0 / 3, -2.0 / 3, 1.0 / 3 },
            { 2.0 / 3, 1.0 / 3, -2.0 / 3 },
            { 1.0 / 3, 2.0 / 3, 2.0 / 3 },
        });
        return (q * Matrix<double>.Build.DiagonalOfDiagonalArray(eigenvalues) * q.Transpose()).ToArray();
    }

    [Fact]
    public void SelfDistanceIsZero()
    {
        double[] x = Gaussian(2000, [1, -2, 0.5, 3], new double[,] { { 1, 0, 0, 0 }, { 0.5, 1, 0, 0 }, { -0.3, 0.2, 0.7, 0 }, { 0.1, 0.1, 0.1, 2 } }, 11);
        FeatureStatistics s = FeatureStatistics.FromFeatures(x, 2000, 4);
        double self = FrechetDistance.Compute(s, s);
        // Tolerance: 1e-9 relative to the covariance trace (≈ 6.8); only rounding remains.
        Assert.InRange(self, 0, 1e-9);

        // The same set in another order: identical statistics up to summation order.
        double[] reversed = new double[x.Length];
        for (int i = 0; i < 2000; i++) Array.Copy(x, (1999 - i) * 4, reversed, i * 4, 4);
        Assert.InRange(FrechetDistance.Compute(s, FeatureStatistics.FromFeatures(reversed, 2000, 4)), 0, 1e-9);
    }

    [Fact]
    public void DistanceGrowsMonotonicallyWithAddedNoise()
    {
        const int n = 3000, d = 8;
        double[] x = Gaussian(n, new double[d], Diagonal(Enumerable.Repeat(1.0, d).ToArray()), 21);
        double[] noise = Gaussian(n, new double[d], Diagonal(Enumerable.Repeat(1.0, d).ToArray()), 22);
        FeatureStatistics clean = FeatureStatistics.FromFeatures(x, n, d);
        var distances = new List<double>();
        foreach (double sigma in new[] { 0.0, 0.1, 0.25, 0.5, 1.0, 2.0 })
        {
            double[] noisy = x.Select((v, i) => v + sigma * noise[i]).ToArray();
            distances.Add(FrechetDistance.Compute(clean, FeatureStatistics.FromFeatures(noisy, n, d)));
        }
        Assert.InRange(distances[0], 0, 1e-9);
        for (int i = 1; i < distances.Count; i++) Assert.True(distances[i] > distances[i - 1], $"FID not increasing: {string.Join(", ", distances)}");
        // For σ = 2 the noisy covariance ≈ 5·I: analytic value d·(√5 − 1)² ≈ 12.2; sampling error is a few %.
        Assert.InRange(distances[^1], 0.9 * d * Math.Pow(Math.Sqrt(5) - 1, 2), 1.1 * d * Math.Pow(Math.Sqrt(5) - 1, 2));
    }

    [Fact]
    public void MatchesTheClosedFormForDiagonalCovariances()
    {
        double[] mu1 = [0, 1, -1], mu2 = [0.5, 1, 1];
        double[] s1 = [1, 2, 0.5], s2 = [3, 2, 0.1];
        double expected = 0.25 + 4 + s1.Zip(s2, (a, b) => (a - b) * (a - b)).Sum(); // ‖Δμ‖² + Σ(σ1 − σ2)²
        var a = FeatureStatistics.FromMoments(mu1, Diagonal(s1.Select(v => v * v).ToArray()));
        var b = FeatureStatistics.FromMoments(mu2, Diagonal(s2.Select(v => v * v).ToArray()));
        Assert.Equal(expected, FrechetDistance.Compute(a, b), 1e-10);
        Assert.Equal(expected, FrechetDistance.Compute(b, a), 1e-10);

        // A singular covariance (one variance 0) has the same closed form.
        var singular = FeatureStatistics.FromMoments(mu1, Diagonal(1, 0, 0.25));
        Assert.Equal(0.25 + 4 + 4 + 4 + 0.16, FrechetDistance.Compute(singular, b), 1e-10);
    }

    [Fact]
    public void MatchesTheClosedFormForCommutingNonDiagonalCovariances()
    {
        // Σ1 = Q diag(a) Qᵀ, Σ2 = Q diag(b) Qᵀ commute: d² = ‖Δμ‖² + Σ(√aᵢ − √bᵢ)².
        double[] a = [4, 1, 0.25], b = [1, 9, 0.25];
        var first = FeatureStatistics.FromMoments([1, 2, 3], Rotated(a));
        var second = FeatureStatistics.FromMoments([1, 2, 2], Rotated(b));
        double expected = 1 + a.Zip(b, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        Assert.Equal(expected, FrechetDistance.Compute(first, second), 1e-10);
    }

    [Fact]
    public void MatchesTheClosedFormForNonCommuting2x2Covariances()
    {
        // For 2×2 PSD M: Tr √M = √(Tr M + 2√det M), with M similar to Σ1Σ2.
        double[,] s1 = { { 2, 0.8 }, { 0.8, 1 } }, s2 = { { 1, -0.5 }, { -0.5, 3 } };
        Matrix<double> m1 = Matrix<double>.Build.DenseOfArray(s1), m2 = Matrix<double>.Build.DenseOfArray(s2);
        double traceSqrt = Math.Sqrt((m1 * m2).Trace() + 2 * Math.Sqrt(m1.Determinant() * m2.Determinant()));
        double expected = 0.5 * 0.5 + m1.Trace() + m2.Trace() - 2 * traceSqrt;
        var a = FeatureStatistics.FromMoments([0, 0], s1);
        var b = FeatureStatistics.FromMoments([0.5, 0], s2);
        Assert.Equal(expected, FrechetDistance.Compute(a, b), 1e-10);
    }

    [Fact]
    public void LargeSamplesApproachTheAnalyticDistance()
    {
        // Two Gaussians with known rotated covariances; N = 40,000 samples each, D = 3.
        // Estimator error (bias O(D/N) plus noise) is well under 0.03 here; analytic value ≈ 1.59.
        double[] a = [4, 1, 0.25], b = [1, 2.25, 0.25];
        double[] mu1 = [0, 0, 0], mu2 = [0.6, 0, -0.3];
        double analytic = 0.45 + a.Zip(b, (x, y) => Math.Pow(Math.Sqrt(x) - Math.Sqrt(y), 2)).Sum();
        double[,] l1 = Matrix<double>.Build.DenseOfArray(Rotated(a)).Cholesky().Factor.ToArray();
        double[,] l2 = Matrix<double>.Build.DenseOfArray(Rotated(b)).Cholesky().Factor.ToArray();
        double[] x = Gaussian(40_000, mu1, l1, 101), y = Gaussian(40_000, mu2, l2, 202);
        double estimate = FrechetDistance.Compute(FeatureStatistics.FromFeatures(x, 40_000, 3), FeatureStatistics.FromFeatures(y, 40_000, 3));
        Assert.InRange(estimate, analytic - 0.03, analytic + 0.03);
    }

    [Fact]
    public void FewerSamplesThanDimensionsStayFiniteAndNonNegative()
    {
        const int n = 10, d = 32; // rank-deficient covariances
        double[] x = Gaussian(n, new double[d], Diagonal(Enumerable.Repeat(1.0, d).ToArray()), 5);
        double[] y = Gaussian(n, new double[d], Diagonal(Enumerable.Repeat(1.0, d).ToArray()), 6);
        FeatureStatistics sx = FeatureStatistics.FromFeatures(x, n, d), sy = FeatureStatistics.FromFeatures(y, n, d);
        FrechetDistanceTerms terms = FrechetDistance.ComputeTerms(sx, sy);
        Assert.True(double.IsFinite(terms.Distance) && terms.Distance > 0);
        Assert.False(terms.Regularised);
        Assert.InRange(FrechetDistance.Compute(sx, sx), 0, 1e-9);
    }

    [Fact]
    public void StreamedStatisticsEqualTheTwoPassFormula()
    {
        const int n = 500, d = 5;
        double[] x = Gaussian(n, [1000, -50, 3, 0, 7], Diagonal(1, 4, 0.01, 9, 1), 77); // large offsets test the shift
        var accumulator = new FeatureStatisticsAccumulator(d);
        for (int start = 0; start < n; start += 37)
        {
            int count = Math.Min(37, n - start);
            accumulator.Add(x.AsSpan(start * d, count * d), count);
        }
        FeatureStatistics streamed = accumulator.ToStatistics();
        for (int j = 0; j < d; j++)
        {
            double mean = Enumerable.Range(0, n).Average(i => x[i * d + j]);
            Assert.Equal(mean, streamed.Mean[j], 1e-9);
            for (int k = 0; k < d; k++)
            {
                double meanK = Enumerable.Range(0, n).Average(i => x[i * d + k]);
                double cov = Enumerable.Range(0, n).Sum(i => (x[i * d + j] - mean) * (x[i * d + k] - meanK)) / (n - 1);
                Assert.Equal(cov, streamed.CovarianceAt(j, k), 1e-9);
            }
        }
        Assert.Equal(500, streamed.SampleCount);
    }

    [Fact]
    public void SymmetricSquareRootSquaresBack()
    {
        Matrix<double> m = Matrix<double>.Build.DenseOfArray(Rotated(4, 1, 0));
        Matrix<double> root = FrechetDistance.SymmetricSquareRoot(m);
        Assert.True((root * root - m).FrobeniusNorm() < 1e-12);
        Assert.True((root - root.Transpose()).FrobeniusNorm() < 1e-14);
    }

    [Fact]
    public void MismatchedDimensionsAreRejected()
    {
        var a = FeatureStatistics.FromMoments([0, 0], Diagonal(1, 1));
        var b = FeatureStatistics.FromMoments([0, 0, 0], Diagonal(1, 1, 1));
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(a, b));
    }
}
