using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// Binary and unary elementwise ops on bf16 tensors on the CPU (float32 math, each result rounded to bf16 once): the
/// residual add and SiLU against float64 formulas of the bf16-rounded inputs, within half a bf16 ulp (2⁻⁸ relative)
/// per rounding, and the gradient of x + SiLU(x), which accumulates two bf16 gradients into one bf16 buffer.
/// </summary>
public class ElementwiseBf16Tests
{
    private const double HalfUlp = 1.0 / 256;

    private static float[] Rounded(Tensor t) => t.ToFloatArray().Select(BFloat16.Round).ToArray();

    private static double SiLU(double v) => v / (1 + Math.Exp(-v));

    private static double SiLUDerivative(double v)
    {
        var s = 1 / (1 + Math.Exp(-v));
        return s * (1 + v * (1 - s));
    }

    [Fact]
    public void AddAndSiLUAreTheFloat64ResultsOfTheRoundedInputsRoundedOnce()
    {
        var a = Tensor.Randn([3, 50], new Generator(61));
        var b = Tensor.Randn([3, 50], new Generator(62));
        var sum = Ops.Add(Ops.Cast(a, DType.BF16), Ops.Cast(b, DType.BF16));
        var silu = Ops.SiLU(Ops.Cast(Ops.Scale(a, 3), DType.BF16));
        Assert.Equal(DType.BF16, sum.DType);
        Assert.Equal(DType.BF16, silu.DType);
        float[] ar = Rounded(a), br = Rounded(b), xr = Rounded(Ops.Scale(a, 3)), s = sum.ToFloatArray(), y = silu.ToFloatArray();
        for (var i = 0; i < ar.Length; i++)
        {
            double exact = (double)ar[i] + br[i], f = SiLU(xr[i]);
            Assert.True(Math.Abs(s[i] - exact) <= HalfUlp * Math.Abs(exact), $"sum[{i}]: {s[i]} vs {exact}");
            Assert.True(Math.Abs(y[i] - f) <= HalfUlp * Math.Abs(f) + 1e-6, $"silu[{i}]: {y[i]} vs {f}");
            Assert.Equal(0u, BitConverter.SingleToUInt32Bits(y[i]) & 0xFFFFu);
        }
    }

    [Fact]
    public void ResidualSiLUGradientAccumulatesInBf16()
    {
        var x = Ops.Cast(Ops.Scale(Tensor.Randn([4, 40], new Generator(63)), 2), DType.BF16);
        var dy = Ops.Cast(Tensor.Randn([4, 40], new Generator(64)), DType.BF16);
        x.RequiresGrad = true;
        var y = Ops.Add(Ops.SiLU(x), x);
        GradTape.Current.Backward(y, dy);
        Assert.Equal(DType.BF16, x.Grad!.DType);
        float[] xs = x.ToFloatArray(), ds = dy.ToFloatArray(), dx = x.Grad.ToFloatArray();
        for (var i = 0; i < xs.Length; i++)
        {
            // two roundings: the SiLU branch's bf16 gradient, then the bf16 sum with the identity branch's
            var branch = ds[i] * SiLUDerivative(xs[i]);
            var exact = branch + ds[i];
            var bound = HalfUlp * (Math.Abs(branch) + Math.Abs(exact)) + 1e-6;
            Assert.True(Math.Abs(dx[i] - exact) <= bound, $"dx[{i}]: {dx[i]} vs float64 {exact} (bound {bound:E2})");
        }
    }

    [Fact]
    public void Bf16OperandsWithFloat32OnesAreRefused()
    {
        var a = Ops.Cast(Tensor.Randn([4], new Generator(65)), DType.BF16);
        var e = Assert.Throws<TensorOpException>(() => Ops.Add(a, Tensor.Randn([4], new Generator(66))));
        Assert.Contains("dtype mismatch", e.Message);
    }
}
