using System.Runtime.Intrinsics;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>Forward values of the fused/optimised kernels against direct loop implementations (float64).</summary>
public class ForwardReferenceTests
{
    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(1, 1, 0)]
    [InlineData(1, 2, 0)]
    public void Conv2dMatchesDirectLoops(int k, int stride, int pad)
    {
        var g = new Generator(3);
        int n = 2, c = 3, h = 7, w = 6, co = 4;
        var x = Tensor.Randn([n, c, h, w], g, DType.F64);
        var wt = Tensor.Randn([co, c, k, k], g, DType.F64);
        var b = Tensor.Randn([co], g, DType.F64);
        var y = Ops.Conv2d(x, wt, b, stride, pad);
        var xs = x.ToDoubleArray();
        var ws = wt.ToDoubleArray();
        var bs = b.ToDoubleArray();
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        Assert.Equal(new[] { n, co, oh, ow }, y.Shape);
        var ys = y.ToDoubleArray();
        for (var i = 0; i < n; i++)
        for (var o = 0; o < co; o++)
        for (var p = 0; p < oh; p++)
        for (var q = 0; q < ow; q++)
        {
            var acc = bs[o];
            for (var ci = 0; ci < c; ci++)
            for (var r = 0; r < k; r++)
            for (var s = 0; s < k; s++)
            {
                int ih = p * stride - pad + r, iw = q * stride - pad + s;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                {
                    acc += xs[((i * c + ci) * h + ih) * w + iw] * ws[((o * c + ci) * k + r) * k + s];
                }
            }
            Assert.Equal(acc, ys[((i * co + o) * oh + p) * ow + q], 1e-12);
        }
    }

    /// <summary>
    /// The CPU's Winograd paths (3x3, stride 1, ≥ 8 channels; F(4x4, 3x3) for outputs of 8x8 and more, else F(2x2, 3x3))
    /// in float32: output, input gradient and weight gradient of Σ y·U against direct float64 loops of the definition.
    /// </summary>
    [Theory]
    [InlineData(3, 8, 8, 8, 1, 12)] // 8x8 images, several samples per chunk
    [InlineData(2, 16, 16, 16, 1, 8)] // 16x16
    [InlineData(2, 9, 7, 5, 0, 10)] // odd sizes, no padding: ragged last tiles
    [InlineData(1, 8, 5, 6, 2, 9)] // padding 2
    [InlineData(1, 8, 6, 18, 0, 8)] // rows of 18 and 16: vector (de)interleaving with a tail, even padding
    [InlineData(2, 10, 4, 8, 2, 8)] // rows of 8 and 10 with padding 2
    // F(4x4, 3x3) (outputs of 8x8 and more, on CPUs with 512-bit vectors):
    [InlineData(3, 16, 16, 16, 1, 16)] // image-tiny's 16x16 layers: the vectorised unpacking and scatter
    [InlineData(9, 16, 16, 16, 1, 8)] // chunks of 5 samples: four unpacked at once, then one
    [InlineData(8, 8, 16, 16, 0, 8)] // no padding at 16x16 (outputs 14x14, ragged last tiles), four samples at once
    [InlineData(5, 8, 8, 8, 1, 12)] // 8x8: two tiles per row, several samples per chunk
    [InlineData(2, 9, 9, 10, 1, 8)] // ragged last tiles (outputs 9x10), odd channel counts
    [InlineData(2, 8, 10, 10, 0, 9)] // no padding: outputs 8x8
    [InlineData(1, 8, 8, 9, 2, 8)] // padding 2: outputs 10x11
    [InlineData(2, 8, 11, 20, 1, 9)] // rows wider than 16: F(2x2, 3x3) again
    public void WinogradConv2dAndGradientsMatchDirectLoopsInFloat32(int n, int c, int h, int w, int pad, int co)
    {
        var geometry = new ConvGeometry(n, c, h, w, co, 3, 3, 1, 1, pad, pad);
        Assert.True(Backends.Cpu.CpuBackend.UsesWinograd(geometry));
        Assert.Equal(Vector512.IsHardwareAccelerated && geometry.OutH >= 8 && geometry.OutW >= 8 && w <= 16 && geometry.OutW <= 16, Backends.Cpu.CpuBackend.UsesWinograd4(geometry));
        AssertConvolutionAndGradientsMatchLoops(n, c, h, w, 3, 3, pad, co);
    }

    /// <summary>y = conv(x, w) + b (stride 1, padding pad, 0 rows for a one-row kernel) and the gradients of Σ y·U against float64 loops.</summary>
    private static void AssertConvolutionAndGradientsMatchLoops(int n, int c, int h, int w, int kh, int kw, int pad, int co)
    {
        var padH = kh == 1 ? 0 : pad;
        var g = new Generator(41);
        var x = Tensor.Randn([n, c, h, w], g);
        var wt = Ops.Affine(Tensor.Randn([co, c, kh, kw], g), 0.3, 0);
        var b = Tensor.Randn([co], g);
        x.RequiresGrad = true;
        wt.RequiresGrad = true;
        var y = Ops.Conv2d(x, wt, b, (1, 1), (padH, pad));
        int oh = h + 2 * padH - kh + 1, ow = w + 2 * pad - kw + 1;
        Assert.Equal(new[] { n, co, oh, ow }, y.Shape);
        var u = Tensor.Randn(y.Shape, g);
        GradTape.Current.Backward(Ops.SumAll(y * u));
        double[] xs = x.ToDoubleArray(), ws = wt.ToDoubleArray(), bs = b.ToDoubleArray(), us = u.ToDoubleArray();
        double[] ys = y.ToDoubleArray(), dxs = x.Grad!.ToDoubleArray(), dws = wt.Grad!.ToDoubleArray();
        var yRef = new double[ys.Length];
        var dxRef = new double[xs.Length];
        var dwRef = new double[ws.Length];
        for (var i = 0; i < n; i++)
        for (var o = 0; o < co; o++)
        for (var p = 0; p < oh; p++)
        for (var q = 0; q < ow; q++)
        {
            var yi = ((i * co + o) * oh + p) * ow + q;
            var acc = bs[o];
            for (var ci = 0; ci < c; ci++)
            for (var r = 0; r < kh; r++)
            for (var s = 0; s < kw; s++)
            {
                int ih = p - padH + r, iw = q - pad + s;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                {
                    int xi = ((i * c + ci) * h + ih) * w + iw, wi = ((o * c + ci) * kh + r) * kw + s;
                    acc += xs[xi] * ws[wi];
                    dxRef[xi] += us[yi] * ws[wi];
                    dwRef[wi] += us[yi] * xs[xi];
                }
            }
            yRef[yi] = acc;
        }
        AssertClose(yRef, ys, 2e-5);
        AssertClose(dxRef, dxs, 2e-5);
        AssertClose(dwRef, dws, 2e-5);
    }

    /// <summary>
    /// Float32 attention and its three gradients (the image models' heads of 8 over 64 tokens, and ragged sizes)
    /// against float64 loops of the definition: o = softmax(s·q·kᵀ)·v, and for the loss
    /// Σ o ⊙ u: dv = Pᵀu, dq = s·dS·k, dk = s·dSᵀq with dS = P ⊙ (u·vᵀ − rowsum(P ⊙ u·vᵀ)).
    /// </summary>
    [Theory]
    [InlineData(2, 3, 64, 64, 8)] // image models' 8x8 attention
    [InlineData(1, 2, 13, 19, 12)]
    [InlineData(1, 2, 7, 5, 20)]
    public void AttentionAndGradientsMatchDirectLoopsInFloat32(int b, int heads, int n, int m, int d)
    {
        var g = new Generator(43);
        var q = Tensor.Randn([b, heads, n, d], g);
        var k = Tensor.Randn([b, heads, m, d], g);
        var v = Tensor.Randn([b, heads, m, d], g);
        q.RequiresGrad = k.RequiresGrad = v.RequiresGrad = true;
        var o = Ops.ScaledDotProductAttention(q, k, v);
        var u = Tensor.Randn(o.Shape, g);
        GradTape.Current.Backward(Ops.SumAll(o * u));
        double[] qs = q.ToDoubleArray(), ks = k.ToDoubleArray(), vs = v.ToDoubleArray(), us = u.ToDoubleArray();
        var s = 1 / Math.Sqrt(d);
        double[] oRef = new double[qs.Length], dqRef = new double[qs.Length], dkRef = new double[ks.Length], dvRef = new double[vs.Length];
        for (var h = 0; h < b * heads; h++)
        {
            int qb = h * n * d, kb = h * m * d;
            var pm = new double[n, m];
            var ds = new double[n, m];
            for (var i = 0; i < n; i++)
            {
                var max = double.NegativeInfinity;
                for (var j = 0; j < m; j++)
                {
                    var dot = 0.0;
                    for (var e = 0; e < d; e++)
                    {
                        dot += qs[qb + i * d + e] * ks[kb + j * d + e];
                    }
                    pm[i, j] = s * dot;
                    max = Math.Max(max, pm[i, j]);
                }
                var z = 0.0;
                for (var j = 0; j < m; j++)
                {
                    pm[i, j] = Math.Exp(pm[i, j] - max);
                    z += pm[i, j];
                }
                var rowsum = 0.0;
                for (var j = 0; j < m; j++)
                {
                    pm[i, j] /= z;
                    var dp = 0.0;
                    for (var e = 0; e < d; e++)
                    {
                        oRef[qb + i * d + e] += pm[i, j] * vs[kb + j * d + e];
                        dvRef[kb + j * d + e] += pm[i, j] * us[qb + i * d + e];
                        dp += us[qb + i * d + e] * vs[kb + j * d + e];
                    }
                    ds[i, j] = dp;
                    rowsum += pm[i, j] * dp;
                }
                for (var j = 0; j < m; j++)
                {
                    ds[i, j] = pm[i, j] * (ds[i, j] - rowsum);
                    for (var e = 0; e < d; e++)
                    {
                        dqRef[qb + i * d + e] += s * ds[i, j] * ks[kb + j * d + e];
                        dkRef[kb + j * d + e] += s * ds[i, j] * qs[qb + i * d + e];
                    }
                }
            }
        }
        AssertClose(oRef, o.ToDoubleArray(), 2e-5);
        AssertClose(dqRef, q.Grad!.ToDoubleArray(), 2e-5);
        AssertClose(dkRef, k.Grad!.ToDoubleArray(), 2e-5);
        AssertClose(dvRef, v.Grad!.ToDoubleArray(), 2e-5);
    }

    /// <summary>|got − expected| ≤ rtol·max|expected| elementwise (float32 sums of a few hundred terms).</summary>
    private static void AssertClose(double[] expected, double[] got, double rtol)
    {
        Assert.Equal(expected.Length, got.Length);
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(got[i] - expected[i]) <= rtol * scale, $"element {i}: {got[i]} against {expected[i]} (scale {scale})");
        }
    }

    [Theory]
    [InlineData(1, 7, 0, 3, 1)]
    [InlineData(7, 1, 3, 0, 1)]
    [InlineData(1, 3, 0, 1, 1)]
    [InlineData(3, 1, 1, 0, 2)]
    public void Conv2dWithRectangularKernelsMatchesDirectLoops(int kh, int kw, int ph, int pw, int stride)
    {
        var g = new Generator(16);
        int n = 2, c = 3, h = 9, w = 8, co = 4;
        var x = Tensor.Randn([n, c, h, w], g, DType.F64);
        var wt = Tensor.Randn([co, c, kh, kw], g, DType.F64);
        var y = Ops.Conv2d(x, wt, null, (stride, stride), (ph, pw));
        var xs = x.ToDoubleArray();
        var ws = wt.ToDoubleArray();
        int oh = (h + 2 * ph - kh) / stride + 1, ow = (w + 2 * pw - kw) / stride + 1;
        Assert.Equal(new[] { n, co, oh, ow }, y.Shape);
        var ys = y.ToDoubleArray();
        for (var i = 0; i < n; i++)
        for (var o = 0; o < co; o++)
        for (var p = 0; p < oh; p++)
        for (var q = 0; q < ow; q++)
        {
            var acc = 0.0;
            for (var ci = 0; ci < c; ci++)
            for (var r = 0; r < kh; r++)
            for (var s = 0; s < kw; s++)
            {
                int ih = p * stride - ph + r, iw = q * stride - pw + s;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                {
                    acc += xs[((i * c + ci) * h + ih) * w + iw] * ws[((o * c + ci) * kh + r) * kw + s];
                }
            }
            Assert.Equal(acc, ys[((i * co + o) * oh + p) * ow + q], 1e-12);
        }
    }

    [Fact]
    public void ConvTranspose1dMatchesScatterDefinition()
    {
        var g = new Generator(4);
        int n = 2, cin = 3, cout = 2, len = 5, k = 4, stride = 2, pad = 1;
        var x = Tensor.Randn([n, cin, len], g, DType.F64);
        var w = Tensor.Randn([cin, cout, k], g, DType.F64);
        var y = Ops.ConvTranspose1d(x, w, null, stride, pad).ToDoubleArray();
        var outLen = (len - 1) * stride - 2 * pad + k;
        var expected = new double[n * cout * outLen];
        var xs = x.ToDoubleArray();
        var ws = w.ToDoubleArray();
        for (var i = 0; i < n; i++)
        for (var ci = 0; ci < cin; ci++)
        for (var l = 0; l < len; l++)
        for (var co = 0; co < cout; co++)
        for (var j = 0; j < k; j++)
        {
            var o = l * stride - pad + j;
            if (o >= 0 && o < outLen)
            {
                expected[(i * cout + co) * outLen + o] += xs[(i * cin + ci) * len + l] * ws[(ci * cout + co) * k + j];
            }
        }
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], y[i], 1e-12);
        }
    }

    [Fact]
    public void GroupNormMatchesDefinition()
    {
        var g = new Generator(5);
        var x = Tensor.Randn([2, 6, 3, 3], g, DType.F64);
        var gamma = Tensor.Randn([6], g, DType.F64);
        var beta = Tensor.Randn([6], g, DType.F64);
        var y = Ops.GroupNorm(x, 3, gamma, beta, 1e-5).ToDoubleArray();
        var xs = x.ToDoubleArray();
        var gs = gamma.ToDoubleArray();
        var bs = beta.ToDoubleArray();
        for (var n = 0; n < 2; n++)
        for (var grp = 0; grp < 3; grp++)
        {
            var idx = Enumerable.Range(0, 2).SelectMany(cc => Enumerable.Range(0, 9).Select(s => ((n * 6) + grp * 2 + cc) * 9 + s)).ToArray();
            var mean = idx.Average(i => xs[i]);
            var variance = idx.Average(i => (xs[i] - mean) * (xs[i] - mean));
            foreach (var i in idx)
            {
                var ch = (i / 9) % 6;
                Assert.Equal((xs[i] - mean) / Math.Sqrt(variance + 1e-5) * gs[ch] + bs[ch], y[i], 1e-12);
            }
        }
    }

    [Fact]
    public void AttentionMatchesSoftmaxOfScores()
    {
        var g = new Generator(6);
        var q = Tensor.Randn([1, 2, 5, 3], g, DType.F64);
        var k = Tensor.Randn([1, 2, 5, 3], g, DType.F64);
        var v = Tensor.Randn([1, 2, 5, 3], g, DType.F64);
        var fused = Ops.ScaledDotProductAttention(q, k, v).ToDoubleArray();
        var scores = Ops.MatMul(q.Reshape(2, 5, 3), k.Reshape(2, 5, 3).Transpose(1, 2)) * (1 / Math.Sqrt(3));
        var reference = Ops.MatMul(Ops.Softmax(scores), v.Reshape(2, 5, 3)).ToDoubleArray();
        for (var i = 0; i < fused.Length; i++)
        {
            Assert.Equal(reference[i], fused[i], 1e-12);
        }
    }

    [Fact]
    public void TimestepEmbeddingMatchesDiffusersAndDiffusionPolicyFormulas()
    {
        var t = Tensor.FromArray(new double[] { 0, 1, 999 }, 3);
        var diffusers = Ops.TimestepEmbedding(t, 8, flipSinToCos: true, freqShift: 0).ToDoubleArray();
        var chi = Ops.TimestepEmbedding(t, 8, flipSinToCos: false, freqShift: 1).ToDoubleArray();
        for (var i = 0; i < 3; i++)
        {
            var tv = new[] { 0.0, 1, 999 }[i];
            for (var j = 0; j < 4; j++)
            {
                var f0 = Math.Exp(-Math.Log(10000) * j / 4.0);
                Assert.Equal(Math.Cos(tv * f0), diffusers[i * 8 + j], 1e-12);
                Assert.Equal(Math.Sin(tv * f0), diffusers[i * 8 + 4 + j], 1e-12);
                var f1 = Math.Exp(-Math.Log(10000) * j / 3.0);
                Assert.Equal(Math.Sin(tv * f1), chi[i * 8 + j], 1e-12);
                Assert.Equal(Math.Cos(tv * f1), chi[i * 8 + 4 + j], 1e-12);
            }
        }
    }

    [Fact]
    public void DropoutKeepsExpectedFractionAndScales()
    {
        var x = Tensor.Ones([100_000]);
        var y = Ops.Dropout(x, 0.25, new Generator(11)).ToFloatArray();
        var kept = y.Count(v => v != 0);
        Assert.InRange(kept / 100_000.0, 0.745, 0.755);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1 / 0.75f, v, 5));
        var again = Ops.Dropout(x, 0.25, new Generator(11)).ToFloatArray();
        Assert.Equal(y, again);
    }

    [Fact]
    public void RandomFillsHaveTheRightMoments()
    {
        var n = Tensor.Randn([200_000], new Generator(1)).ToFloatArray();
        var mean = n.Average();
        var variance = n.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.99, 1.01);
        var u = Tensor.Rand([200_000], new Generator(2), -1, 3).ToFloatArray();
        Assert.InRange(u.Min(), -1, -0.99);
        Assert.InRange(u.Max(), 2.99, 3);
        Assert.InRange(u.Average(), 0.99, 1.01);
    }

    [Fact]
    public void MseLossIsTheMeanOfSquares()
    {
        var p = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        var t = Tensor.FromArray(new float[] { 0, 2, 5, 1 }, 2, 2);
        Assert.Equal((1 + 0 + 4 + 9) / 4.0, Ops.MseLoss(p, t).Item(), 6);
    }

    [Theory]
    [InlineData(3, 2, 0)]
    [InlineData(3, 1, 1)]
    [InlineData(2, 1, 0)]
    [InlineData(3, 2, 1)]
    public void MaxPool2dMatchesDirectLoops(int k, int stride, int pad)
    {
        var x = Tensor.Randn([2, 3, 7, 6], new Generator(12), DType.F64);
        var y = Ops.MaxPool2d(x, k, stride, pad);
        var reference = PoolReference(x.ToDoubleArray(), 2 * 3, 7, 6, k, stride, pad, (values, _) => values.Max());
        Assert.Equal(new[] { 2, 3, (7 + 2 * pad - k) / stride + 1, (6 + 2 * pad - k) / stride + 1 }, y.Shape);
        Assert.Equal(reference, y.ToDoubleArray());
    }

    [Theory]
    [InlineData(3, 1, 1, false)]
    [InlineData(3, 1, 1, true)]
    [InlineData(3, 2, 1, false)]
    [InlineData(2, 2, 1, true)]
    [InlineData(3, 2, 0, true)]
    public void AvgPool2dMatchesDirectLoops(int k, int stride, int pad, bool countIncludePad)
    {
        var x = Tensor.Randn([2, 3, 7, 6], new Generator(13), DType.F64);
        var y = Ops.AvgPool2d(x, k, stride, pad, countIncludePad).ToDoubleArray();
        var reference = PoolReference(x.ToDoubleArray(), 2 * 3, 7, 6, k, stride, pad, (values, paddedArea) => values.Sum() / (countIncludePad ? paddedArea : values.Count));
        Assert.Equal(reference.Length, y.Length);
        for (var i = 0; i < y.Length; i++)
        {
            Assert.Equal(reference[i], y[i], 1e-14);
        }
    }

    [Fact]
    public void AvgPool2dWithoutPaddedZerosAveragesOnlyInputPixels()
    {
        // a 3x3 window at the corner of a padded 2x2 image of ones: 4 real pixels, 9 places
        var x = Tensor.Ones([1, 1, 2, 2], DType.F64);
        Assert.Equal(new[] { 1.0, 1, 1, 1 }, Ops.AvgPool2d(x, 3, 1, 1, countIncludePad: false).ToDoubleArray());
        Assert.Equal(new[] { 4 / 9.0, 4 / 9.0, 4 / 9.0, 4 / 9.0 }, Ops.AvgPool2d(x, 3, 1, 1, countIncludePad: true).ToDoubleArray());
    }

    [Fact]
    public void PoolingRejectsPaddingOverHalfTheKernel()
    {
        var x = Tensor.Zeros([1, 1, 5, 5]);
        var error = Assert.Throws<TensorOpException>(() => Ops.MaxPool2d(x, 3, 1, 2));
        Assert.Contains("padding 2 is more than half the kernel 3", error.Message);
    }

    /// <summary>Pooling by definition: each window over the input padded by pad; reduce(values under it, its area inside the padded input).</summary>
    private static double[] PoolReference(double[] x, int planes, int h, int w, int k, int stride, int pad, Func<List<double>, int, double> reduce)
    {
        int oh = (h + 2 * pad - k) / stride + 1, ow = (w + 2 * pad - k) / stride + 1;
        var y = new double[planes * oh * ow];
        for (var p = 0; p < planes; p++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            var values = new List<double>();
            var area = 0;
            for (var r = 0; r < k; r++)
            for (var s = 0; s < k; s++)
            {
                int ih = i * stride - pad + r, iw = j * stride - pad + s;
                if (ih < h + pad && iw < w + pad)
                {
                    area++;
                }
                if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                {
                    values.Add(x[(p * h + ih) * w + iw]);
                }
            }
            y[(p * oh + i) * ow + j] = reduce(values, area);
        }
        return y;
    }

    [Fact]
    public void ResizeBilinearMatchesTorchValuesOnSmallCases()
    {
        // 2 -> 4 (align_corners=False): sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped at the last pixel)
        var up = Ops.ResizeBilinear(Tensor.FromArray(new double[] { 0, 1 }, 1, 1, 1, 2), 1, 4).ToDoubleArray();
        Assert.Equal(new[] { 0, 0.25, 0.75, 1 }, up);
        // 4 -> 2: sources 0.5 and 2.5, the mean of each pair
        var down = Ops.ResizeBilinear(Tensor.FromArray(new double[] { 1, 3, 10, 20 }, 1, 1, 1, 4), 1, 2).ToDoubleArray();
        Assert.Equal(new[] { 2.0, 15.0 }, down);
        // the same size is the identity
        var x = Tensor.Randn([2, 3, 5, 4], new Generator(14), DType.F64);
        Assert.Equal(x.ToDoubleArray(), Ops.ResizeBilinear(x, 5, 4).ToDoubleArray());
    }

    [Theory]
    [InlineData(5, 7, 11, 13)]
    [InlineData(9, 8, 4, 3)]
    [InlineData(4, 6, 17, 5)]
    [InlineData(16, 16, 299, 299)]
    public void ResizeBilinearMatchesDirectLoops(int h, int w, int oh, int ow)
    {
        var x = Tensor.Randn([2, 2, h, w], new Generator(15), DType.F64);
        var y = Ops.ResizeBilinear(x, oh, ow).ToDoubleArray();
        var xs = x.ToDoubleArray();
        static (int I0, int I1, double L1) Source(int o, int input, int output)
        {
            var s = Math.Max(0, (o + 0.5) * input / output - 0.5);
            var i0 = (int)Math.Floor(s);
            return (i0, Math.Min(i0 + 1, input - 1), s - i0);
        }
        for (var p = 0; p < 4; p++)
        for (var i = 0; i < oh; i++)
        for (var j = 0; j < ow; j++)
        {
            var (r0, r1, a) = Source(i, h, oh);
            var (c0, c1, b) = Source(j, w, ow);
            double At(int r, int c) => xs[(p * h + r) * w + c];
            var expected = (1 - a) * ((1 - b) * At(r0, c0) + b * At(r0, c1)) + a * ((1 - b) * At(r1, c0) + b * At(r1, c1));
            Assert.Equal(expected, y[(p * oh + i) * ow + j], 1e-12);
        }
    }
}
