using NativeTrustRegion.Engine;
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
}
