using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// GroupNorm and GroupNorm+FiLM+SiLU with bf16 activations on the CPU: y and dx are bf16, the affine and FiLM gradients
/// float32, and every value is within the bf16 rounding (half a bf16 ulp, at most 2⁻⁸ relative) plus float32 arithmetic of a
/// float64 reference computed from the bf16-rounded x and dy: by hand for the forward, by the float64 op (whose
/// gradients the central-difference suite checks) for the backward.
/// </summary>
public class GroupNormBf16Tests
{
    /// <summary>Half a bf16 ulp (8 significant bits), relative: at most what one round to nearest moves a value.</summary>
    private const double HalfUlp = 1.0 / 256;

    /// <summary>float32 arithmetic before the rounding (sums over a group of a few hundred terms), relative to the largest value.</summary>
    private const double Float32Slack = 1e-5;

    private static float[] RoundedBf16(Tensor t) => t.ToFloatArray().Select(BFloat16.Round).ToArray();

    private static void AssertWithinBf16(double[] expected, float[] actual, string what)
    {
        var scale = expected.Max(Math.Abs);
        for (var i = 0; i < expected.Length; i++)
        {
            var bound = HalfUlp * Math.Abs(expected[i]) + Float32Slack * scale;
            Assert.True(Math.Abs(actual[i] - expected[i]) <= bound,
                $"{what}[{i}]: {actual[i]} vs float64 {expected[i]} (bound {bound:E2})");
        }
    }

    [Fact]
    public void ForwardIsTheFloat64GroupNormOfTheRoundedInputRoundedOnce()
    {
        int n = 2, c = 6, s = 20, groups = 3;
        var x = Tensor.Randn([n, c, s], new Generator(31));
        var gamma = Tensor.Randn([c], new Generator(32));
        var beta = Tensor.Randn([c], new Generator(33));
        var y = Ops.GroupNorm(Ops.Cast(x, DType.BF16), groups, gamma, beta);
        Assert.Equal(DType.BF16, y.DType);
        var xr = RoundedBf16(x);
        float[] g = gamma.ToFloatArray(), b = beta.ToFloatArray();
        var expected = new double[xr.Length];
        var cpg = c / groups;
        for (var bi = 0; bi < n; bi++)
        {
            for (var gi = 0; gi < groups; gi++)
            {
                var start = (bi * c + gi * cpg) * s;
                var len = cpg * s;
                double mean = 0, variance = 0;
                for (var i = 0; i < len; i++)
                {
                    mean += xr[start + i];
                }
                mean /= len;
                for (var i = 0; i < len; i++)
                {
                    variance += (xr[start + i] - mean) * (xr[start + i] - mean);
                }
                var rstd = 1 / Math.Sqrt(variance / len + 1e-5);
                for (var i = 0; i < len; i++)
                {
                    var ch = gi * cpg + i / s;
                    expected[start + i] = (xr[start + i] - mean) * rstd * g[ch] + b[ch];
                }
            }
        }
        var actual = y.ToFloatArray();
        AssertWithinBf16(expected, actual, "y");
        // and it is rounded: every value a bf16, and not the float32 result (which the rounding must have moved)
        var unrounded = Ops.GroupNorm(Tensor.FromSpan(xr, [n, c, s], DType.F32, Device.Cpu), groups, gamma, beta).ToFloatArray();
        Assert.Contains(unrounded.Zip(actual), p => p.First != p.Second);
        Assert.All(actual, v => Assert.Equal(0u, BitConverter.SingleToUInt32Bits(v) & 0xFFFFu));
    }

    [Fact]
    public void FusedFilmSiLUBackwardMatchesTheFloat64OpOnTheRoundedInputs()
    {
        int n = 2, c = 8, s = 12, groups = 4;
        var x = Tensor.Randn([n, c, s], new Generator(41));
        var dy = Tensor.Randn([n, c, s], new Generator(42));
        var p = new[] { Tensor.Randn([c], new Generator(43)), Tensor.Randn([c], new Generator(44)), Tensor.Randn([n, c], new Generator(45)), Tensor.Randn([n, c], new Generator(46)) };

        var xb = Ops.Cast(x, DType.BF16);
        xb.RequiresGrad = true;
        foreach (var t in p)
        {
            t.RequiresGrad = true;
        }
        var y = Ops.GroupNormSiLU(xb, groups, p[0], p[1], p[2], p[3]);
        Assert.Equal(DType.BF16, y.DType);
        GradTape.Current.Backward(y, Ops.Cast(dy, DType.BF16));
        Assert.Equal(DType.BF16, xb.Grad!.DType);
        Assert.All(p, t => Assert.Equal(DType.F32, t.Grad!.DType));

        var x64 = Tensor.FromSpan(RoundedBf16(x), [n, c, s], DType.F64, Device.Cpu);
        var p64 = p.Select(t => Tensor.FromSpan(t.ToFloatArray(), t.Shape, DType.F64, Device.Cpu)).ToArray();
        x64.RequiresGrad = true;
        foreach (var t in p64)
        {
            t.RequiresGrad = true;
        }
        var y64 = Ops.GroupNormSiLU(x64, groups, p64[0], p64[1], p64[2], p64[3]);
        AssertWithinBf16(y64.ToDoubleArray(), y.ToFloatArray(), "y");
        GradTape.Current.Backward(y64, Tensor.FromSpan(RoundedBf16(dy), [n, c, s], DType.F64, Device.Cpu));
        AssertWithinBf16(x64.Grad!.ToDoubleArray(), xb.Grad.ToFloatArray(), "dx");
        string[] names = ["dgamma", "dbeta", "dscale", "dshift"];
        for (var k = 0; k < p.Length; k++)
        {
            // float32 sums, not rounded to bf16
            var expected = p64[k].Grad!.ToDoubleArray();
            var actual = p[k].Grad!.ToFloatArray();
            var scale = expected.Max(Math.Abs);
            for (var i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= Float32Slack * scale, $"{names[k]}[{i}]: {actual[i]} vs float64 {expected[i]}");
            }
        }
    }

    [Fact]
    public void SecondOrderThroughBf16GroupNormAndSiLUTracksTheFloat32One()
    {
        // Hessian-vector product of Σ w·f(x) with f = SiLU(GroupNorm(x)) + GroupNormSiLU(x, FiLM), in bf16 (recomposed in
        // float32 between recorded casts) and in float32: within 3e-2 of the largest (bf16 x, y and first-order
        // gradients; measured 1.2e-2)
        int n = 2, c = 4, s = 6, groups = 2;
        var x0 = Tensor.Randn([n, c, s], new Generator(71));
        var w = Tensor.Randn([n, c, s], new Generator(72));
        var v = Tensor.Randn([n, c, s], new Generator(73));
        var gamma = Tensor.Randn([c], new Generator(74));
        var beta = Tensor.Randn([c], new Generator(75));
        var scale = Tensor.Randn([n, c], new Generator(76));
        var shift = Tensor.Randn([n, c], new Generator(77));

        float[] HessianVector(bool bf16)
        {
            var x = x0.Detach();
            x.RequiresGrad = true;
            var xa = bf16 ? Ops.Cast(x, DType.BF16) : x;
            var f = Ops.Add(Ops.Cast(Ops.SiLU(Ops.GroupNorm(xa, groups, gamma, beta)), DType.F32),
                Ops.Cast(Ops.GroupNormSiLU(xa, groups, gamma, beta, scale, shift), DType.F32));
            var gradient = GradTape.Current.Gradients(Ops.SumAll(Ops.Mul(f, w)), [x])[0];
            GradTape.Current.Backward(Ops.SumAll(Ops.Mul(gradient, v)));
            return x.Grad!.ToFloatArray();
        }

        var reference = HessianVector(false);
        var actual = HessianVector(true);
        var error = reference.Zip(actual).Max(p => Math.Abs(p.First - p.Second)) / reference.Max(Math.Abs);
        Assert.True(error <= 3e-2, $"bf16 Hessian-vector product differs from float32 by {error:E2} of the largest value");
        Assert.True(error > 0, "the bf16 path gave the float32 values exactly: it did not run");
    }

    [Fact]
    public void Bf16AffineParametersAreRefusedWithTheFix()
    {
        var x = Ops.Cast(Tensor.Randn([2, 4, 3], new Generator(51)), DType.BF16);
        var gamma = Ops.Cast(Tensor.Randn([4], new Generator(52)), DType.BF16);
        var e = Assert.Throws<TensorOpException>(() => Ops.GroupNorm(x, 2, gamma, null));
        Assert.Contains("float32", e.Message);
        var scale = Ops.Cast(Tensor.Randn([2, 4], new Generator(53)), DType.BF16);
        var e2 = Assert.Throws<TensorOpException>(() => Ops.GroupNormSiLU(x, 2, null, null, scale));
        Assert.Contains("FiLM scale", e2.Message);
    }
}
