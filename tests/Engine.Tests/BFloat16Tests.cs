using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// bfloat16 on the CPU: the float32 → bf16 rounding against an independent formula (distances in float64 to the two
/// neighbouring bf16 values, ties to the even one), the differentiable cast (straight-through gradient, bit for bit),
/// and bf16 GEMM and convolution against float64 references computed from the bf16-rounded inputs.
/// </summary>
public class BFloat16Tests
{
    /// <summary>Independent reference: the nearer of the two bf16 values around |x| (by float64 distance), ties to the even mantissa.</summary>
    private static ushort ReferenceRounding(float x)
    {
        var bits = BitConverter.SingleToUInt32Bits(x);
        var sign = bits & 0x8000_0000u;
        var magnitude = bits & 0x7FFF_FFFFu;
        var lower = magnitude & 0xFFFF_0000u;          // the bf16 at or below |x|
        var upper = lower + 0x1_0000u;                 // the next bf16 above (0x7F800000 is ∞, reached past the largest finite)
        double value = BitConverter.UInt32BitsToSingle(magnitude);
        double low = BitConverter.UInt32BitsToSingle(lower);
        var high = upper == 0x7F80_0000u ? Math.Pow(2, 128) : BitConverter.UInt32BitsToSingle(upper);
        var below = value - low;
        var above = high - value;
        var chosen = below < above ? lower : below > above ? upper : ((lower >> 16) & 1) == 0 ? lower : upper;
        if (magnitude == lower)
        {
            chosen = lower; // exactly representable (also ±0 and ±∞)
        }
        return (ushort)((sign | chosen) >> 16);
    }

    private static IEnumerable<float> Specials()
    {
        yield return 0f;
        yield return -0f;
        yield return 1f;
        yield return float.PositiveInfinity;
        yield return float.NegativeInfinity;
        yield return float.MaxValue;
        yield return -float.MaxValue;
        yield return float.Epsilon;
        yield return -float.Epsilon;
        yield return BitConverter.UInt32BitsToSingle(0x7F7F_8000u); // largest bf16 + half an ulp: a tie that rounds to ∞ (even)
        yield return BitConverter.UInt32BitsToSingle(0x7F7F_7FFFu); // just below that midpoint: stays finite
        yield return BitConverter.UInt32BitsToSingle(0x3F80_8000u); // 1 + 2^-8: a tie between 1 (even) and 1 + 2^-7
        yield return BitConverter.UInt32BitsToSingle(0x3F81_8000u); // 1 + 3·2^-8: a tie between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
        yield return BitConverter.UInt32BitsToSingle(0x0000_8000u); // a subnormal tie, rounds to 0
        yield return BitConverter.UInt32BitsToSingle(0x0001_8000u); // a subnormal tie, rounds up to 0x0002
        yield return BitConverter.UInt32BitsToSingle(0x807F_FFFFu); // largest negative subnormal, rounds to -2^-126
    }

    [Fact]
    public void RoundingToBf16IsNearestEvenOnEveryBitPatternTried()
    {
        var random = new Random(1234);
        var tried = 0;
        foreach (var x in Specials())
        {
            Assert.Equal(ReferenceRounding(x), BFloat16.FromFloat(x));
            tried++;
        }
        for (var i = 0; i < 300_000; i++)
        {
            var bits = (uint)random.NextInt64(0, 1L << 32);
            var x = BitConverter.UInt32BitsToSingle(bits);
            if (float.IsNaN(x))
            {
                continue;
            }
            var expected = ReferenceRounding(x);
            var actual = BFloat16.FromFloat(x);
            Assert.True(expected == actual, $"0x{bits:X8} ({x:R}): expected bf16 0x{expected:X4}, got 0x{actual:X4}");
            tried++;
        }
        Assert.True(tried > 290_000);
        // the ties above: 1 + 2^-8 → 1, 1 + 3·2^-8 → 1 + 2^-6, max + half ulp → ∞
        Assert.Equal(0x3F80, BFloat16.FromFloat(BitConverter.UInt32BitsToSingle(0x3F80_8000u)));
        Assert.Equal(0x3F82, BFloat16.FromFloat(BitConverter.UInt32BitsToSingle(0x3F81_8000u)));
        Assert.Equal(0x7F80, BFloat16.FromFloat(BitConverter.UInt32BitsToSingle(0x7F7F_8000u)));
    }

    [Fact]
    public void NaNStaysNaNWithItsSignAndWideningIsExact()
    {
        foreach (var bits in new uint[] { 0x7FC0_0000u, 0xFFC0_0000u, 0x7F80_0001u, 0xFF80_0001u, 0x7FFF_FFFFu, 0x7F80_FFFFu })
        {
            var b = BFloat16.FromFloat(BitConverter.UInt32BitsToSingle(bits));
            Assert.True(float.IsNaN(BFloat16.ToFloat(b)), $"0x{bits:X8} → 0x{b:X4} is not a NaN");
            Assert.Equal(bits >> 31, (uint)b >> 15);
        }
        for (var b = 0; b < 65536; b++)
        {
            var wide = BFloat16.ToFloat((ushort)b);
            Assert.Equal((uint)b << 16, BitConverter.SingleToUInt32Bits(wide));
            if (!float.IsNaN(wide))
            {
                Assert.Equal((ushort)b, BFloat16.FromFloat(wide));
            }
        }
    }

    [Fact]
    public void CastOpRoundsEveryElementAndItsGradientIsTheGradientCastBack()
    {
        var x = Tensor.Randn([3, 257], new Generator(5));
        var w = Tensor.Randn([3, 257], new Generator(6));
        x.RequiresGrad = true;
        var narrow = Ops.Cast(x, DType.BF16);
        Assert.Equal(DType.BF16, narrow.DType);
        var y = Ops.Cast(narrow, DType.F32);
        var xs = x.ToFloatArray();
        var ys = y.ToFloatArray();
        for (var i = 0; i < xs.Length; i++)
        {
            Assert.Equal(ReferenceRounding(xs[i]), (ushort)(BitConverter.SingleToUInt32Bits(ys[i]) >> 16));
            Assert.Equal(0u, BitConverter.SingleToUInt32Bits(ys[i]) & 0xFFFFu);
        }
        GradTape.Current.Backward(Ops.SumAll(Ops.Mul(y, w)));
        var g = x.Grad!.ToFloatArray();
        var ws = w.ToFloatArray();
        for (var i = 0; i < g.Length; i++)
        {
            // d/dx Σ f32(bf16(x))·w, straight through the rounding: w rounded to bf16 (the cast back of the bf16 gradient)
            Assert.Equal(BitConverter.SingleToUInt32Bits(BFloat16.ToFloat(ReferenceRounding(ws[i]))), BitConverter.SingleToUInt32Bits(g[i]));
        }
    }

    [Fact]
    public void TwoGradientsOfOneBf16TensorAreSummedInFloat32AndRoundedOnce()
    {
        var x = Tensor.Randn([300], new Generator(7));
        var w1 = Tensor.Randn([300], new Generator(8));
        var w2 = Ops.Affine(Tensor.Randn([300], new Generator(9)), 1e-3, 0);
        x.RequiresGrad = true;
        var xb = Ops.Cast(x, DType.BF16);
        var loss = Ops.Add(Ops.SumAll(Ops.Mul(Ops.Cast(xb, DType.F32), w1)), Ops.SumAll(Ops.Mul(Ops.Cast(xb, DType.F32), w2)));
        GradTape.Current.Backward(loss);
        var g = x.Grad!.ToFloatArray();
        float[] a = w1.ToFloatArray(), b = w2.ToFloatArray();
        // the backward pass runs the two branches in one order for all elements: one of the two formulas holds everywhere
        bool firstEverywhere = true, secondEverywhere = true, rounded = false;
        for (var i = 0; i < g.Length; i++)
        {
            var first = BFloat16.Round(BFloat16.Round(a[i]) + b[i]);
            var second = BFloat16.Round(BFloat16.Round(b[i]) + a[i]);
            firstEverywhere &= g[i] == first;
            secondEverywhere &= g[i] == second;
            rounded |= first != a[i] + b[i];
        }
        Assert.True(firstEverywhere || secondEverywhere, "the gradient is neither bf16(bf16(w1) + w2) nor bf16(bf16(w2) + w1) everywhere");
        Assert.True(rounded, "no element needed rounding: the test would not see a missing bf16 rounding");
    }

    /// <summary>
    /// |c − r| within half a bf16 ulp of r (the output's rounding) plus the float32 accumulation error bound
    /// k·2⁻²³·Σ|a||b|, where r is the float64 product of the bf16-rounded inputs.
    /// </summary>
    private static void AssertBf16Product(double reference, double sumAbs, int terms, float actual, string where)
    {
        var exponent = reference == 0 ? -133 : Math.Floor(Math.Log2(Math.Abs(reference)));
        var halfUlp = Math.Pow(2, Math.Max(exponent, -126) - 8);
        var accumulation = terms * Math.Pow(2, -23) * sumAbs;
        var error = Math.Abs(actual - reference);
        Assert.True(error <= halfUlp + accumulation, $"{where}: bf16 result {actual:R} vs float64 reference {reference:R} (error {error:E3} > half ulp {halfUlp:E3} + accumulation {accumulation:E3})");
    }

    [Fact]
    public void Bf16MatMulIsTheProductOfTheRoundedInputsRoundedOnce()
    {
        const int m = 17, k = 300, n = 23;
        var a = Tensor.Randn([m, k], new Generator(11));
        var b = Tensor.Randn([k, n], new Generator(12));
        var c = Ops.Cast(Ops.MatMul(Ops.Cast(a, DType.BF16), Ops.Cast(b, DType.BF16)), DType.F32).ToFloatArray();
        var ar = a.ToFloatArray().Select(BFloat16.Round).ToArray();
        var br = b.ToFloatArray().Select(BFloat16.Round).ToArray();
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double r = 0, s = 0;
                for (var l = 0; l < k; l++)
                {
                    r += (double)ar[i * k + l] * br[l * n + j];
                    s += Math.Abs((double)ar[i * k + l] * br[l * n + j]);
                }
                AssertBf16Product(r, s, k, c[i * n + j], $"C[{i},{j}]");
            }
        }
    }

    [Fact]
    public void Bf16ProductUsesTheRoundedInputsNotTheFloat32Ones()
    {
        // a = [1 + 0.75·2^-7, -1], b = [1, 1]: bf16(a0) = 1 + 2^-7, so the product of the rounded inputs is exactly 2^-7,
        // while the float32 inputs would give 0.75·2^-7 (also a bf16 value): only a bf16 product gives 2^-7
        var a = Tensor.FromArray([1f + 0.75f / 128, -1f], 1, 2);
        var b = Tensor.FromArray([1f, 1f], 2, 1);
        var c = Ops.Cast(Ops.MatMul(Ops.Cast(a, DType.BF16), Ops.Cast(b, DType.BF16)), DType.F32).Item();
        Assert.Equal(1.0 / 128, c);
        using var mixed = MixedPrecision.Bf16();
        Assert.Equal(1.0 / 128, Ops.MatMul(a, b).Item());
        Assert.Equal(1.0 / 128 + 0.5, Ops.Linear(a, b.Reshape(1, 2), Tensor.FromArray([0.5f], 1)).Item());
    }

    [Fact]
    public void Bf16LinearGradientsAreBf16ProductsOfTheRoundedOperands()
    {
        const int rows = 6, inF = 40, outF = 5;
        var x = Tensor.Randn([rows, inF], new Generator(21));
        var w = Tensor.Randn([outF, inF], new Generator(22));
        var bias = Tensor.Randn([outF], new Generator(24));
        var g = Tensor.Randn([rows, outF], new Generator(23));
        x.RequiresGrad = true;
        w.RequiresGrad = true;
        bias.RequiresGrad = true;
        using (MixedPrecision.Bf16())
        {
            GradTape.Current.Backward(Ops.SumAll(Ops.Mul(Ops.Linear(x, w, bias), g)));
        }
        // the bias is added in float32 and its gradient is the float32 column sum of g (no bf16 rounding)
        var gs = g.ToFloatArray();
        var db = bias.Grad!.ToFloatArray();
        for (var o = 0; o < outF; o++)
        {
            var column = Enumerable.Range(0, rows).Sum(i => (double)gs[i * outF + o]);
            Assert.True(Math.Abs(db[o] - column) <= 1e-6 * (1 + Math.Abs(column)), $"dbias[{o}] {db[o]:R} vs {column:R}");
        }
        float[] xr = x.ToFloatArray().Select(BFloat16.Round).ToArray(), wr = w.ToFloatArray().Select(BFloat16.Round).ToArray(), gr = g.ToFloatArray().Select(BFloat16.Round).ToArray();
        var dx = x.Grad!.ToFloatArray();
        var dw = w.Grad!.ToFloatArray();
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < inF; j++)
            {
                double r = 0, s = 0;
                for (var o = 0; o < outF; o++)
                {
                    r += (double)gr[i * outF + o] * wr[o * inF + j];
                    s += Math.Abs((double)gr[i * outF + o] * wr[o * inF + j]);
                }
                AssertBf16Product(r, s, outF, dx[i * inF + j], $"dx[{i},{j}]");
            }
        }
        for (var o = 0; o < outF; o++)
        {
            for (var j = 0; j < inF; j++)
            {
                double r = 0, s = 0;
                for (var i = 0; i < rows; i++)
                {
                    r += (double)gr[i * outF + o] * xr[i * inF + j];
                    s += Math.Abs((double)gr[i * outF + o] * xr[i * inF + j]);
                }
                AssertBf16Product(r, s, rows, dw[o * inF + j], $"dw[{o},{j}]");
            }
        }
    }

    [Fact]
    public void Bf16ConvolutionIsTheConvolutionOfTheRoundedInputsRoundedOnce()
    {
        const int n = 2, c = 3, h = 7, wd = 6, k = 4, r = 3, stride = 2, pad = 1;
        var x = Tensor.Randn([n, c, h, wd], new Generator(31));
        var w = Tensor.Randn([k, c, r, r], new Generator(32));
        var y = Ops.Cast(Ops.Conv2d(Ops.Cast(x, DType.BF16), Ops.Cast(w, DType.BF16), null, stride, pad), DType.F32);
        int p = y.Shape[2], q = y.Shape[3];
        Assert.Equal((h + 2 * pad - r) / stride + 1, p);
        var ys = y.ToFloatArray();
        var xr = x.ToFloatArray().Select(BFloat16.Round).ToArray();
        var wr = w.ToFloatArray().Select(BFloat16.Round).ToArray();
        for (var b = 0; b < n; b++)
        {
            for (var o = 0; o < k; o++)
            {
                for (var i = 0; i < p; i++)
                {
                    for (var j = 0; j < q; j++)
                    {
                        double sum = 0, abs = 0;
                        for (var ch = 0; ch < c; ch++)
                        {
                            for (var u = 0; u < r; u++)
                            {
                                for (var v = 0; v < r; v++)
                                {
                                    int ih = i * stride - pad + u, iw = j * stride - pad + v;
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd)
                                    {
                                        continue;
                                    }
                                    var term = (double)xr[((b * c + ch) * h + ih) * wd + iw] * wr[((o * c + ch) * r + u) * r + v];
                                    sum += term;
                                    abs += Math.Abs(term);
                                }
                            }
                        }
                        AssertBf16Product(sum, abs, c * r * r, ys[((b * k + o) * p + i) * q + j], $"y[{b},{o},{i},{j}]");
                    }
                }
            }
        }
    }

    [Fact]
    public void KernelsWithoutBf16AndBf16BiasesAreRefusedWithTheFix()
    {
        var a = Ops.Cast(Tensor.Randn([4], new Generator(1)), DType.BF16);
        var add = Assert.ThrowsAny<ArgumentException>(() => Ops.Scale(a, 2));
        Assert.Contains("no bfloat16 instantiation", add.Message);
        Assert.Contains("Fix: cast to float32 first", add.Message);
        var x = Ops.Cast(Tensor.Randn([2, 3], new Generator(2)), DType.BF16);
        var w = Ops.Cast(Tensor.Randn([4, 3], new Generator(3)), DType.BF16);
        var bias = Assert.Throws<TensorOpException>(() => Ops.Linear(x, w, Tensor.Randn([4], new Generator(4), DType.F64)));
        Assert.Contains("give the bias in the operands' dtype", bias.Message);
        var f64 = Assert.Throws<TensorOpException>(() => Ops.Cast(Tensor.Randn([2], new Generator(5), DType.F64), DType.BF16));
        Assert.Contains("cast through float32", f64.Message);
        var random = Assert.Throws<TensorOpException>(() => Tensor.Randn([2], new Generator(6), DType.BF16));
        Assert.Contains("draw float32 values and cast them", random.Message);
    }

    /// <summary>
    /// A bf16 activation under the scope gives a bf16 product with the float32 bias rounded to bf16 and added in
    /// float32 math, rounded once: y = bf16(bf16(x·w) + bf16(b)) (products of small integers are exact, so the reference
    /// is exact); the bias gradient is the float32 sum of the bf16 output gradient: 257 ones sum to 257, which bf16 cannot
    /// hold (it would give 256).
    /// </summary>
    [Fact]
    public void Bf16ActivationsGiveBf16ProductsWithTheBiasRoundedAndItsGradientSummedInFloat32()
    {
        static float Bf16(float v) => BitConverter.UInt32BitsToSingle((uint)ReferenceRounding(v) << 16);
        const int rows = 257;
        var xs = Enumerable.Range(0, rows * 3).Select(i => (float)(i % 5 - 2)).ToArray();
        float[] ws = [1, 1, 1, 2, 0, -1];
        float[] bs = [0.3f, -1.7f];
        var x = Ops.Cast(Tensor.FromArray(xs, rows, 3), DType.BF16);
        var w = Tensor.FromArray(ws, 2, 3);
        var b = Tensor.FromArray(bs, 2);
        w.RequiresGrad = true;
        b.RequiresGrad = true;
        Tensor y;
        using (MixedPrecision.Bf16())
        {
            y = Ops.Linear(x, w, b);
        }
        Assert.Equal(DType.BF16, y.DType);
        var ys = Ops.Cast(y, DType.F32).ToFloatArray();
        for (var r = 0; r < rows; r++)
        {
            for (var o = 0; o < 2; o++)
            {
                var product = xs[r * 3] * ws[o * 3] + xs[r * 3 + 1] * ws[o * 3 + 1] + xs[r * 3 + 2] * ws[o * 3 + 2];
                Assert.Equal(Bf16(product + Bf16(bs[o])), ys[r * 2 + o]);
            }
        }
        GradTape.Current.Backward(Ops.Cast(y, DType.F32), Tensor.Full([rows, 2], 1.0));
        Assert.Equal(new float[] { rows, rows }, b.Grad!.ToFloatArray());

        // the same for a convolution's channel bias: a 1x1 convolution over 257 pixels
        var image = Ops.Cast(Tensor.FromArray(xs.Take(rows).ToArray(), 1, 1, rows, 1), DType.BF16);
        var kernel = Tensor.FromArray([3f], 1, 1, 1, 1);
        var cb = Tensor.FromArray([0.3f], 1);
        cb.RequiresGrad = true;
        kernel.RequiresGrad = true;
        Tensor c;
        using (MixedPrecision.Bf16())
        {
            c = Ops.Conv2d(image, kernel, cb);
        }
        Assert.Equal(DType.BF16, c.DType);
        var cs = Ops.Cast(c, DType.F32).ToFloatArray();
        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(Bf16(xs[i] * 3 + Bf16(0.3f)), cs[i]);
        }
        GradTape.Current.Backward(Ops.Cast(c, DType.F32), Tensor.Full([1, 1, rows, 1], 1.0));
        Assert.Equal((float)rows, cb.Grad!.ToFloatArray()[0]);
    }

    [Fact]
    public void OutsideTheMixedPrecisionScopeProductsStayFloat32()
    {
        var a = Tensor.FromArray([1f + 0.75f / 128, -1f], 1, 2);
        var b = Tensor.FromArray([1f, 1f], 2, 1);
        using (MixedPrecision.Bf16())
        {
            Assert.True(MixedPrecision.IsBf16);
        }
        Assert.False(MixedPrecision.IsBf16);
        Assert.Equal((double)(1f + 0.75f / 128 - 1f), Ops.MatMul(a, b).Item());
    }
}
