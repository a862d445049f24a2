using System.Runtime.Intrinsics;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Backends.Cpu;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The float32 builds of the fused CPU kernels that the float64 gradient checks do not run: <see cref="FastExp"/>
/// against Math.Exp, float32 multi-head attention against direct float64 loops of its definition, and multi-head
/// attention and GroupNorm+SiLU bit-identical for any thread count, float32 nearest upsampling and average pooling, dropout's backward from its kept mask.
/// </summary>
[Collection("pool")]
public class FusedCpuKernelTests
{
    [Fact]
    public void FastExpIsWithinTwoUlpOfTheExactValue()
    {
        var rng = new Random(5);
        var lanes = new float[16];
        for (var t = 0; t < 20_000; t++)
        {
            for (var l = 0; l < 16; l++)
            {
                // the whole range where e^x is a normal float32 up to 88, denser near 0 where softmax inputs lie
                lanes[l] = t % 2 == 0 ? (float)(rng.NextDouble() * 175.33 - 87.33) : (float)(-rng.NextDouble() * 20);
            }
            var got = FastExp.Exp(Vector512.Create(lanes));
            for (var l = 0; l < 16; l++)
            {
                var exact = (float)Math.Exp(lanes[l]);
                var ulps = Math.Abs(BitConverter.SingleToInt32Bits(exact) - BitConverter.SingleToInt32Bits(got[l]));
                Assert.True(ulps <= 2, $"exp({lanes[l]:R}) = {got[l]:R}, exact {exact:R} ({ulps} ulp)");
            }
        }
        float[] special = [0f, -0f, -87.4f, -200f, float.NegativeInfinity, 88.5f, float.PositiveInfinity, float.NaN, 1e-9f, -1e-9f, 1f, -1f, 10f, -10f, 50f, -50f];
        var s = FastExp.Exp(Vector512.Create(special));
        Assert.Equal(1f, s[0]);
        Assert.Equal(1f, s[1]);
        Assert.Equal(0f, s[2]);
        Assert.Equal(0f, s[3]);
        Assert.Equal(0f, s[4]);
        Assert.Equal(float.PositiveInfinity, s[5]);
        Assert.Equal(float.PositiveInfinity, s[6]);
        Assert.True(float.IsNaN(s[7]));
        Assert.Equal(1f, s[8]);
        Assert.Equal(1f, s[9]);
    }

    /// <summary>
    /// o = softmax(scale·q·kᵀ)·v per head and its gradients for Σ o·W, in float32 on the CPU, against the same
    /// formulas as plain float64 loops (dV = Pᵀ·G, dP = G·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = scale·dS·K,
    /// dK = scale·dSᵀ·Q), at the image models' 8x8 shape and at sizes that are not whole vectors.
    /// </summary>
    [Theory]
    [InlineData(2, 64, 64, 8, 8)]
    [InlineData(2, 21, 37, 3, 5)]
    [InlineData(1, 17, 5, 2, 16)]
    public void Float32MultiHeadAttentionMatchesFloat64Loops(int b, int n, int m, int heads, int d)
    {
        var c = heads * d;
        var g = new Generator(31);
        var q = Tensor.Randn([b, n, c], g);
        var k = Tensor.Randn([b, m, c], g);
        var v = Tensor.Randn([b, m, c], g);
        var w = Tensor.Randn([b, n, c], g);
        q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
        var o = Ops.MultiHeadAttention(q, k, v, heads);
        GradTape.Current.Backward(Ops.SumAll(o * w));
        var (qa, ka, va, wa) = (q.ToDoubleArray(), k.ToDoubleArray(), v.ToDoubleArray(), w.ToDoubleArray());
        var (eo, edq, edk, edv) = (new double[b * n * c], new double[b * n * c], new double[b * m * c], new double[b * m * c]);
        var scale = 1.0 / Math.Sqrt(d);
        for (var bb = 0; bb < b; bb++)
        {
            for (var h = 0; h < heads; h++)
            {
                int Q(int i, int cc) => (bb * n + i) * c + h * d + cc;
                int K(int j, int cc) => (bb * m + j) * c + h * d + cc;
                var p = new double[n, m];
                for (var i = 0; i < n; i++)
                {
                    var max = double.NegativeInfinity;
                    for (var j = 0; j < m; j++)
                    {
                        var s = 0.0;
                        for (var cc = 0; cc < d; cc++)
                        {
                            s += qa[Q(i, cc)] * ka[K(j, cc)];
                        }
                        p[i, j] = scale * s;
                        max = Math.Max(max, p[i, j]);
                    }
                    var sum = 0.0;
                    for (var j = 0; j < m; j++)
                    {
                        p[i, j] = Math.Exp(p[i, j] - max);
                        sum += p[i, j];
                    }
                    for (var j = 0; j < m; j++)
                    {
                        p[i, j] /= sum;
                    }
                }
                for (var i = 0; i < n; i++)
                {
                    for (var cc = 0; cc < d; cc++)
                    {
                        for (var j = 0; j < m; j++)
                        {
                            eo[Q(i, cc)] += p[i, j] * va[K(j, cc)];
                            edv[K(j, cc)] += p[i, j] * wa[Q(i, cc)];
                        }
                    }
                    var dp = new double[m];
                    var rowsum = 0.0;
                    for (var j = 0; j < m; j++)
                    {
                        for (var cc = 0; cc < d; cc++)
                        {
                            dp[j] += wa[Q(i, cc)] * va[K(j, cc)];
                        }
                        rowsum += dp[j] * p[i, j];
                    }
                    for (var j = 0; j < m; j++)
                    {
                        var ds = p[i, j] * (dp[j] - rowsum);
                        for (var cc = 0; cc < d; cc++)
                        {
                            edq[Q(i, cc)] += scale * ds * ka[K(j, cc)];
                            edk[K(j, cc)] += scale * ds * qa[Q(i, cc)];
                        }
                    }
                }
            }
        }
        AssertClose("o", eo, o.ToDoubleArray());
        AssertClose("dq", edq, q.Grad!.ToDoubleArray());
        AssertClose("dk", edk, k.Grad!.ToDoubleArray());
        AssertClose("dv", edv, v.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MultiHeadAttentionIsBitIdenticalForAnyThreadCount()
    {
        float[][] Run(int threads) => WithThreads(threads, () =>
        {
            var g = new Generator(41);
            var q = Tensor.Randn([6, 64, 64], g);
            var k = Tensor.Randn([6, 64, 64], g);
            var v = Tensor.Randn([6, 64, 64], g);
            q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
            var o = Ops.MultiHeadAttention(q, k, v, 8);
            GradTape.Current.Backward(Ops.SumAll(o * Tensor.Randn(o.Shape, g)));
            return new[] { o.ToFloatArray(), q.Grad!.ToFloatArray(), k.Grad!.ToFloatArray(), v.Grad!.ToFloatArray() };
        });
        AssertSameForThreads(Run);
    }

    [Fact]
    public void GroupNormSiLUIsBitIdenticalForAnyThreadCount()
    {
        float[][] Run(int threads) => WithThreads(threads, () =>
        {
            var g = new Generator(43);
            var x = Tensor.Randn([12, 32, 9, 9], g);
            var gamma = Tensor.Randn([32], g);
            var beta = Tensor.Randn([32], g);
            x.RequiresGrad = gamma.RequiresGrad = beta.RequiresGrad = true;
            var y = Ops.GroupNormSiLU(x, 8, gamma, beta);
            GradTape.Current.Backward(Ops.SumAll(y * Tensor.Randn(y.Shape, g)));
            return new[] { y.ToFloatArray(), x.Grad!.ToFloatArray(), gamma.Grad!.ToFloatArray(), beta.Grad!.ToFloatArray() };
        });
        AssertSameForThreads(Run);
    }

    /// <summary>
    /// Float32 nearest 2x upsampling and 2x2 average pooling (vectorised eight source columns at a time) and their
    /// gradients for Σ y·W, against loops of their definitions: widths of whole vectors and with a tail, fresh and
    /// accumulated gradients (the input used twice).
    /// </summary>
    [Theory]
    [InlineData(3, 2, 8, 8)]
    [InlineData(2, 3, 5, 13)]
    [InlineData(1, 2, 4, 16)]
    public void Float32ResamplingMatchesLoops(int n, int c, int h, int w)
    {
        var g = new Generator(47);
        var x = Tensor.Randn([n, c, h, w], g);
        var big = Tensor.Randn([n, c, 2 * h, 2 * w], g);
        var wUp = Tensor.Randn([n, c, 2 * h, 2 * w], g);
        var wPool = Tensor.Randn([n, c, h, w], g);
        x.RequiresGrad = big.RequiresGrad = true;
        var up = Ops.UpsampleNearest2x(x);
        var pooled = Ops.AvgPool2x2(big);
        // each input used twice, so the second backward accumulates
        GradTape.Current.Backward(Ops.SumAll(up * wUp) + Ops.SumAll(Ops.UpsampleNearest2x(x) * wUp) + Ops.SumAll(pooled * wPool) + Ops.SumAll(Ops.AvgPool2x2(big) * wPool));
        var (xa, ba, wu, wp) = (x.ToDoubleArray(), big.ToDoubleArray(), wUp.ToDoubleArray(), wPool.ToDoubleArray());
        var (eUp, eDx, ePool, eDbig) = (new double[up.Numel], new double[x.Numel], new double[pooled.Numel], new double[big.Numel]);
        for (var p = 0; p < n * c; p++)
        {
            for (var i = 0; i < h; i++)
            {
                for (var j = 0; j < w; j++)
                {
                    var small = (p * h + i) * w + j;
                    foreach (var (a, b) in new[] { (0, 0), (0, 1), (1, 0), (1, 1) })
                    {
                        var large = (p * 2 * h + 2 * i + a) * 2 * w + 2 * j + b;
                        eUp[large] = xa[small];
                        eDx[small] += 2 * wu[large];
                        ePool[small] += 0.25 * ba[large];
                        eDbig[large] = 2 * 0.25 * wp[small];
                    }
                }
            }
        }
        AssertClose("upsample", eUp, up.ToDoubleArray());
        AssertClose("upsample dx", eDx, x.Grad!.ToDoubleArray());
        AssertClose("avgpool", ePool, pooled.ToDoubleArray());
        AssertClose("avgpool dx", eDbig, big.Grad!.ToDoubleArray());
    }

    /// <summary>
    /// The CPU dropout's backward from the mask its forward kept equals the backward that regenerates the Philox numbers,
    /// bit for bit, fresh and accumulated, on 1 and 3 threads (100,003 elements: several parallel blocks and a tail).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void DropoutBackwardFromTheKeptMaskEqualsTheRegeneratedOne(int threads) => WithThreads(threads, () =>
    {
        const int n = 100_003;
        const double p = 0.3;
        var g = new Generator(51);
        var x = Tensor.Randn([n], g);
        var w = Tensor.Randn([n], g);
        x.RequiresGrad = true;
        var generator = new Generator(12);
        var y = Ops.Dropout(x, p, generator);
        var y2 = Ops.Dropout(x, p, generator);
        GradTape.Current.Backward(Ops.SumAll(y * w) + Ops.SumAll(y2 * w));
        var replay = new Generator(12);
        var (o1, o2) = (replay.Advance(n), replay.Advance(n));
        var expected = Tensor.Zeros([n]);
        x.Backend.DropoutBackward(w, expected, p, replay.Seed, o1, accumulate: false);
        x.Backend.DropoutBackward(w, expected, p, replay.Seed, o2, accumulate: true);
        Assert.Equal(expected.ToFloatArray(), x.Grad!.ToFloatArray());
        var kept = y.ToFloatArray().Count(v => v != 0);
        Assert.InRange(kept, 0.68 * n, 0.72 * n);
        return 0;
    });

    private static T WithThreads<T>(int threads, Func<T> body)
    {
        var previous = CpuParallel.Threads;
        CpuParallel.Threads = threads;
        try
        {
            return body();
        }
        finally
        {
            CpuParallel.Threads = previous;
        }
    }

    private static void AssertSameForThreads(Func<int, float[][]> run)
    {
        var one = run(1);
        foreach (var threads in new[] { 2, 3, 5 })
        {
            var other = run(threads);
            for (var i = 0; i < one.Length; i++)
            {
                Assert.Equal(one[i], other[i]);
            }
        }
    }

    /// <summary>max |got − expected| ≤ 2e-5 · max |expected| (float32 sums of up to a few hundred terms).</summary>
    private static void AssertClose(string what, double[] expected, double[] got)
    {
        var scale = expected.Max(Math.Abs);
        var worst = expected.Zip(got, (e, g) => Math.Abs(e - g)).Max();
        Assert.True(worst <= 2e-5 * scale, $"{what}: max |diff| {worst:E2} against max |value| {scale:E2}");
    }
}
