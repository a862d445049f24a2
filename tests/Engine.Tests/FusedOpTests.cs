using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>The ops added with the CUDA back end, on the CPU reference: FiLM, fused GroupNorm+FiLM+SiLU, rank-1 Fisher, collinearity.</summary>
public class FusedOpTests
{
    private static Generator Gen(int seed) => new((ulong)seed + 5000);

    [Fact]
    public void FiLMMatchesBroadcastFormulaAndGradients()
    {
        var g = Gen(1);
        var x = GradCheck.Input(g, 1, 0, 3, 4, 5);
        var scale = GradCheck.Input(g, 1, 1, 3, 4);
        var bias = GradCheck.Input(g, 1, 0, 3, 4);
        var y = Ops.FiLM(x, scale, bias).ToDoubleArray();
        var xs = x.ToDoubleArray();
        var ss = scale.ToDoubleArray();
        var bs = bias.ToDoubleArray();
        for (var i = 0; i < xs.Length; i++)
        {
            Assert.Equal(xs[i] * ss[i / 5] + bs[i / 5], y[i]);
        }
        GradCheck.Check(t => Ops.FiLM(t[0], t[1], t[2]), [x, scale, bias]);
        // the policy net's shape family: [B, C, 2]
        var x2 = GradCheck.Input(g, 1, 0, 2, 6, 2);
        GradCheck.Check(t => Ops.FiLM(t[0], t[1], t[2]), [x2, GradCheck.Input(g, 1, 0, 2, 6), GradCheck.Input(g, 1, 0, 2, 6)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GroupNormSiLUEqualsTheComposition(bool film)
    {
        var g = Gen(film ? 2 : 3);
        int n = 2, c = 6, groups = 3;
        var x = GradCheck.Input(g, 2, 0.5, n, c, 3, 2);
        var gamma = GradCheck.Input(g, 1, 1, c);
        var beta = GradCheck.Input(g, 1, 0, c);
        var scale = GradCheck.Input(g, 0.5, 1, n, c);
        var shift = GradCheck.Input(g, 1, 0, n, c);
        Tensor Fused(Tensor[] t) => film ? Ops.GroupNormSiLU(t[0], groups, t[1], t[2], t[3], t[4]) : Ops.GroupNormSiLU(t[0], groups, t[1], t[2]);
        Tensor Composed(Tensor[] t)
        {
            var h = Ops.GroupNorm(t[0], groups, t[1], t[2]);
            if (film)
            {
                h = Ops.FiLM(h.Reshape(n, c, -1), t[3], t[4]).Reshape(t[0].Shape);
            }
            return Ops.SiLU(h);
        }
        Tensor[] inputs = film ? [x, gamma, beta, scale, shift] : [x, gamma, beta];
        var fused = Gradients(Fused, inputs);
        var composed = Gradients(Composed, inputs);
        for (var k = 0; k < fused.Length; k++)
        {
            Assert.Equal(composed[k].Length, fused[k].Length);
            for (var i = 0; i < fused[k].Length; i++)
            {
                Assert.True(Math.Abs(fused[k][i] - composed[k][i]) <= 1e-12 * (1 + Math.Abs(composed[k][i])),
                    $"array {k} element {i}: fused {fused[k][i]:G17} vs composed {composed[k][i]:G17}");
            }
        }
        GradCheck.Check(Fused, inputs, rtol: 1e-4);
    }

    [Fact]
    public void GroupNormSiLUWithoutAffine()
    {
        var g = Gen(4);
        var x = GradCheck.Input(g, 1, 0, 2, 4, 5);
        GradCheck.Check(t => Ops.GroupNormSiLU(t[0], 2, null, null), [x], rtol: 1e-4);
        var viaComposition = Ops.SiLU(Ops.GroupNorm(x, 2, null, null)).ToDoubleArray();
        var fused = Ops.GroupNormSiLU(x, 2, null, null).ToDoubleArray();
        for (var i = 0; i < fused.Length; i++)
        {
            Assert.Equal(viaComposition[i], fused[i], 1e-13);
        }
    }

    /// <summary>[output, grad of each input] of Σ f(x)·W for a fixed random W.</summary>
    private static double[][] Gradients(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        foreach (var t in inputs)
        {
            t.Grad = null;
        }
        var y = f(inputs);
        var w = Tensor.Randn(y.Shape, new Generator(77), DType.F64);
        GradTape.Current.Backward(Ops.SumAll(Ops.Mul(y, w)));
        return new[] { y.ToDoubleArray() }.Concat(inputs.Select(t => t.Grad!.ToDoubleArray())).ToArray();
    }

    [Fact]
    public void Rank1PenaltyGradientMatchesClosedFormAndFiniteDifferences()
    {
        var g = Gen(5);
        int p = 37, k = 3;
        var theta = Tensor.Randn([p], g, DType.F64);
        var directions = Tensor.Randn([k, p], g, DType.F64);
        double[] rho = [0.7, 2.0, 0.1];
        double[] anchors = [0.3, -1.1, 2.5];
        const double lambda = 1.7;
        var grad0 = Tensor.Randn([p], g, DType.F64);
        var grad = Tensor.FromArray(grad0.ToDoubleArray(), p);
        var penalty = Rank1Fisher.PenaltyGradient(theta, grad, directions, rho, anchors, lambda);

        var th = theta.ToDoubleArray();
        var u = directions.ToDoubleArray();
        double Penalty(double[] t)
        {
            var total = 0.0;
            for (var i = 0; i < k; i++)
            {
                var dot = 0.0;
                for (var e = 0; e < p; e++)
                {
                    dot += u[i * p + e] * t[e];
                }
                total += rho[i] * (dot - anchors[i]) * (dot - anchors[i]);
            }
            return 0.5 * lambda * total;
        }
        Assert.Equal(Penalty(th), penalty, 1e-12);
        var added = grad.ToDoubleArray().Zip(grad0.ToDoubleArray(), (a, b) => a - b).ToArray();
        for (var e = 0; e < p; e++)
        {
            var plus = (double[])th.Clone();
            var minus = (double[])th.Clone();
            plus[e] += 1e-6;
            minus[e] -= 1e-6;
            var numeric = (Penalty(plus) - Penalty(minus)) / 2e-6;
            Assert.True(Math.Abs(added[e] - numeric) <= 1e-7 * (1 + Math.Abs(numeric)), $"element {e}: {added[e]} vs {numeric}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public void FusedFisherAdamEqualsPenaltyThenAdamBitForBit(int k)
    {
        var g = Gen(6 + k);
        const int p = 70001;  // more than one 65536-element chunk
        var theta = Tensor.Randn([p], g);
        var grad = Tensor.Randn([p], g);
        var m = Tensor.Randn([p], g);
        var v = Ops.Abs(Tensor.Randn([p], g));
        var directions = Tensor.Randn([Math.Max(k, 1) * p], g).Slice(0, 0, k * p).Contiguous().Reshape(k, p);
        var rho = Enumerable.Range(0, k).Select(i => 0.5 + i).ToArray();
        var anchors = Enumerable.Range(0, k).Select(i => 3.0 - i).ToArray();
        var step = new AdamStep(1e-3, 0.9, 0.999, 1e-8, 0.01, 7);
        const double lambda = 0.25;

        Tensor Copy(Tensor t) => Tensor.FromArray(t.ToFloatArray(), t.Shape);
        var (p1, g1, m1, v1) = (Copy(theta), Copy(grad), Copy(m), Copy(v));
        var expectedPenalty = Rank1Fisher.PenaltyGradient(p1, g1, directions, rho, anchors, lambda);
        p1.Backend.AdamUpdate(p1, g1, m1, v1, step);

        var (p2, g2, m2, v2) = (Copy(theta), Copy(grad), Copy(m), Copy(v));
        var penalty = Tensor.Zeros([]);
        Rank1Fisher.AdamStep(p2, g2, m2, v2, directions, rho, anchors, lambda, step, penalty);

        Assert.Equal(p1.ToFloatArray(), p2.ToFloatArray());
        Assert.Equal(g1.ToFloatArray(), g2.ToFloatArray());
        Assert.Equal(m1.ToFloatArray(), m2.ToFloatArray());
        Assert.Equal(v1.ToFloatArray(), v2.ToFloatArray());
        Assert.Equal((float)expectedPenalty, penalty.ToFloatArray()[0]);
        if (k > 0)
        {
            Assert.NotEqual(theta.ToFloatArray(), p2.ToFloatArray());
        }
    }

    [Fact]
    public void CollinearRowsHaveCosineOneAndFullTopShare()
    {
        const int n = 5, p = 23;
        var u = Tensor.Randn([p], Gen(8), DType.F64).ToDoubleArray();
        var rows = new double[n * p];
        for (var i = 0; i < n; i++)
        {
            for (var e = 0; e < p; e++)
            {
                rows[i * p + e] = (i + 1) * 0.5 * u[e];
            }
        }
        var (cosines, gram) = GradientCollinearity.Compute(Tensor.FromArray(rows, n, p));
        foreach (var c in cosines.ToDoubleArray())
        {
            Assert.Equal(1.0, c, 1e-12);
        }
        var (share, squared) = GradientCollinearity.TopEigenvalueShare(gram.ToDoubleArray(), n);
        Assert.Equal(1.0, share, 1e-12);
        Assert.Equal(1.0, squared, 1e-12);
        // gram = G·Gᵀ/N: entry (i, j) = (i+1)(j+1)/4·|u|²/N
        var uu = u.Sum(x => x * x);
        var gd = gram.ToDoubleArray();
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                Assert.Equal((i + 1) * (j + 1) * 0.25 * uu / n, gd[i * n + j], 1e-12);
            }
        }
    }

    [Fact]
    public void OrthogonalRowsOfEqualNormSplitTheSpectrumEvenly()
    {
        const int n = 4;
        var rows = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            rows[i * n + i] = 2.0;
        }
        var (cosines, gram) = GradientCollinearity.Compute(Tensor.FromArray(rows, n, n));
        var (share, squared) = GradientCollinearity.TopEigenvalueShare(gram.ToDoubleArray(), n);
        Assert.Equal(0.25, share, 1e-12);
        Assert.Equal(0.25, squared, 1e-12);
        // each row makes the same angle with the mean (1,1,1,1)/2: cos = 1/2
        foreach (var c in cosines.ToDoubleArray())
        {
            Assert.Equal(0.5, c, 1e-12);
        }
    }

    [Fact]
    public void EigenvaluesOfKnownMatrices()
    {
        Assert.Equal([1.0, 3.0], SymmetricEigen.Eigenvalues([2, 1, 1, 2], 2).Select(x => Math.Round(x, 12)).ToArray());
        // a random symmetric matrix: eigenvalues sum to the trace and their squares to the Frobenius norm²
        const int n = 9;
        var g = Gen(9);
        var a = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j <= i; j++)
            {
                a[i * n + j] = a[j * n + i] = g.NextNormal();
            }
        }
        var l = SymmetricEigen.Eigenvalues(a, n);
        Assert.Equal(Enumerable.Range(0, n).Sum(i => a[i * n + i]), l.Sum(), 1e-10);
        Assert.Equal(a.Sum(x => x * x), l.Sum(x => x * x), 1e-9);
    }
}
