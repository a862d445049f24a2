using NativeTrustRegion.Engine.Backends.Cpu;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The engine's AVX-512 float32 GEMM against a float64 loop of the definition, with the rounding-error bound of a
/// k-term float32 dot product: |C − C_ref| ≤ (k + 3)·u·(|alpha|·Σ_p |a_ip|·|b_pj| + |beta|·|c_ij|), u = 2^-24
/// (k products and sums, the alpha scaling, the beta scaling and the fold into C each round once).
/// </summary>
[Collection("pool")]
public class Avx512SgemmTests
{
    private const string NoAvx512 = "this CPU has no AVX-512F, so the engine's AVX-512 GEMM is not used here";

    public static TheoryData<bool, bool, int, int, int> Shapes()
    {
        var data = new TheoryData<bool, bool, int, int, int>();
        var shapes = new (int M, int N, int K)[]
        {
            (1, 1, 1), (17, 33, 65), (8, 32, 16), (9, 31, 7), (3, 8, 64), (64, 8, 64), (13, 16, 5), (40, 48, 1),
            (200, 70, 330), // more rows than one packed A block (192) and two k blocks
            (5, 2100, 9),   // more columns than one packed B block (2048)
            (33, 17, 700),  // three k blocks
            (20, 64, 700),  // B read in place (few rows) over three k blocks
        };
        foreach (var (m, n, k) in shapes)
        {
            foreach (var ta in new[] { false, true })
            {
                foreach (var tb in new[] { false, true })
                {
                    data.Add(ta, tb, m, n, k);
                }
            }
        }
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Shapes))]
    public void MatchesTheDefinitionWithinTheRoundingBound(bool ta, bool tb, int m, int n, int k)
    {
        Skip.IfNot(Avx512Sgemm.IsSupported, NoAvx512);
        var rng = new Random(m * 1_000_003 + n * 1009 + k * 7 + (ta ? 1 : 0) + (tb ? 2 : 0));
        // leading dimensions larger than the rows they hold, with garbage between, so a kernel that ignored them fails
        int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 5, ldc = n + 2;
        var a = Random(rng, (ta ? k : m) * lda);
        var b = Random(rng, (tb ? n : k) * ldb);
        foreach (var (alpha, beta) in new[] { (1f, 0f), (0.75f, 0f), (-1.5f, 1f), (0.5f, -2f) })
        {
            var c0 = Random(rng, m * ldc);
            if (beta == 0f)
            {
                Array.Fill(c0, float.NaN); // beta = 0: C is overwritten, never read (BLAS semantics)
            }
            var c = (float[])c0.Clone();
            RunAvx512(() => Gemm.Single(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < ldc; j++)
                {
                    var at = i * ldc + j;
                    if (j >= n)
                    {
                        Assert.True(c[at].Equals(c0[at]), $"element ({i}, {j}) beyond the {n} columns was written");
                        continue;
                    }
                    double dot = 0, magnitude = 0;
                    for (var p = 0; p < k; p++)
                    {
                        double x = ta ? a[p * lda + i] : a[i * lda + p], y = tb ? b[j * ldb + p] : b[p * ldb + j];
                        dot += x * y;
                        magnitude += Math.Abs(x * y);
                    }
                    var old = beta == 0f ? 0.0 : c0[at];
                    var expected = alpha * dot + beta * old;
                    var bound = (k + 3) * Math.Pow(2, -24) * (Math.Abs(alpha) * magnitude + Math.Abs(beta * old)) + 1e-30;
                    Assert.True(Math.Abs(c[at] - expected) <= bound,
                        $"alpha {alpha} beta {beta} element ({i}, {j}): {c[at]} vs {expected} (bound {bound:E2})");
                }
            }
        }
    }

    [SkippableTheory]
    [InlineData(0f)]
    [InlineData(3f)]
    public void EmptyInnerDimensionOrZeroAlphaScalesCByBeta(float beta)
    {
        Skip.IfNot(Avx512Sgemm.IsSupported, NoAvx512);
        var c = new[] { 1f, 2f, float.NaN, 4f, 5f, 6f };
        var expected = beta == 0f ? new[] { 0f, 0f, float.NaN, 0f, 0f, float.NaN } : new[] { 3f, 6f, float.NaN, 12f, 15f, float.NaN };
        c[5] = float.NaN;
        // C is [2, 2] with ldc 3: columns 2 are padding and stay as they were
        RunAvx512(() => Gemm.Single(false, false, 2, 2, 0, 1f, Array.Empty<float>(), 1, Array.Empty<float>(), 2, beta, c, 3));
        Assert.Equal(expected, c);
        var d = new[] { 1f, 2f, float.NaN, 4f, 5f, float.NaN };
        var a = new[] { 1f, 1f, 1f, 1f };
        RunAvx512(() => Gemm.Single(false, false, 2, 2, 2, 0f, a, 2, a, 2, beta, d, 3));
        Assert.Equal(expected, d);
    }

    /// <summary>
    /// An element's summation order depends only on k: computing C in one call, row block by row block, or column
    /// block by column block gives the same bits, so Gemm.Parallel's row split (and any thread count) cannot change it.
    /// </summary>
    [SkippableTheory]
    [InlineData(false, false, 100, 70, 700)]
    [InlineData(true, true, 45, 50, 33)]
    [InlineData(true, false, 64, 40, 320)]
    public void ResultsDoNotDependOnHowRowsOrColumnsAreSplit(bool ta, bool tb, int m, int n, int k)
    {
        Skip.IfNot(Avx512Sgemm.IsSupported, NoAvx512);
        var rng = new Random(5);
        int lda = ta ? m : k, ldb = tb ? k : n;
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var c0 = Random(rng, m * n);
        var whole = (float[])c0.Clone();
        RunAvx512(() => Gemm.Single(ta, tb, m, n, k, 1.25f, a, lda, b, ldb, 0.5f, whole, n));
        foreach (var split in new[] { 1, 7, 8, 33 })
        {
            var byRows = (float[])c0.Clone();
            var byCols = (float[])c0.Clone();
            RunAvx512(() =>
            {
                var r = Math.Min(split, m);
                Gemm.Single(ta, tb, r, n, k, 1.25f, a, lda, b, ldb, 0.5f, byRows, n);
                Gemm.Single(ta, tb, m - r, n, k, 1.25f, ta ? a.AsSpan(r) : a.AsSpan(r * lda), lda, b, ldb, 0.5f, byRows.AsSpan(r * n), n);
                var s = Math.Min(split, n);
                Gemm.Single(ta, tb, m, s, k, 1.25f, a, lda, b, ldb, 0.5f, byCols, n);
                Gemm.Single(ta, tb, m, n - s, k, 1.25f, a, lda, tb ? b.AsSpan(s * ldb) : b.AsSpan(s), ldb, 0.5f, byCols.AsSpan(s), n);
            });
            Assert.Equal(whole, byRows);
            Assert.Equal(whole, byCols);
        }
    }

    [SkippableFact]
    public void ParallelGemmIsBitIdenticalForOneAndTwoThreads()
    {
        Skip.IfNot(Avx512Sgemm.IsSupported, NoAvx512);
        var rng = new Random(9);
        const int m = 700, n = 96, k = 130;
        var a = Random(rng, m * k);
        var b = Random(rng, k * n);
        var c0 = Random(rng, m * n);
        float[] Run(int threads)
        {
            var previous = CpuParallel.Threads;
            CpuParallel.Threads = threads;
            try
            {
                var c = (float[])c0.Clone();
                RunAvx512(() => Gemm.Parallel(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0.5f, c, 0, n));
                return c;
            }
            finally
            {
                CpuParallel.Threads = previous;
            }
        }
        Assert.Equal(Run(1), Run(2));
    }

    [Fact]
    public void NtrBlasChoosesTheFloat32Kernel()
    {
        Assert.Equal(GemmKernel.Avx512, Gemm.ChooseFloat32Kernel(null, avx512: true, () => true));
        Assert.Equal(GemmKernel.Avx512, Gemm.ChooseFloat32Kernel(" ", avx512: true, () => true));
        Assert.Equal(GemmKernel.OpenBlas, Gemm.ChooseFloat32Kernel(null, avx512: false, () => true));
        Assert.Equal(GemmKernel.Managed, Gemm.ChooseFloat32Kernel(null, avx512: false, () => false));
        Assert.Equal(GemmKernel.OpenBlas, Gemm.ChooseFloat32Kernel("OpenBLAS", avx512: true, () => true));
        Assert.Equal(GemmKernel.Managed, Gemm.ChooseFloat32Kernel("openblas", avx512: true, () => false));
        Assert.Equal(GemmKernel.Managed, Gemm.ChooseFloat32Kernel("managed", avx512: true, () => true));
        var e = Assert.Throws<InvalidOperationException>(() => Gemm.ChooseFloat32Kernel("mkl", avx512: true, () => true));
        Assert.Contains("NTR_BLAS=mkl is not a GEMM choice: set NTR_BLAS=openblas", e.Message);
    }

    [SkippableFact]
    public void DescriptionNamesTheKernelThatRuns()
    {
        Skip.IfNot(Avx512Sgemm.IsSupported, NoAvx512);
        RunAvx512(() =>
        {
            Assert.Equal("avx512 (engine)", Gemm.Implementation);
            Assert.StartsWith("avx512 (engine) float32", Gemm.Description);
        });
    }

    private static void RunAvx512(Action action)
    {
        var previous = Gemm.Float32Override;
        Gemm.Float32Override = GemmKernel.Avx512;
        try
        {
            action();
        }
        finally
        {
            Gemm.Float32Override = previous;
        }
    }

    private static float[] Random(Random rng, int count)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(rng.NextDouble() * 2 - 1);
        }
        return values;
    }
}
