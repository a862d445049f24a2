using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// Float64 gradient checks of compositions (scalar operators, fan-out, skip connections) and closed forms. Each op's own
/// gradient check runs from the op-case table (<see cref="OpCaseGradientTests"/>).
/// </summary>
public class OpGradientTests
{
    private static Generator Gen(int seed) => new((ulong)seed + 1000);

    [Fact]
    public void ScalarOps()
    {
        var g = Gen(1);
        var x = GradCheck.Input(g, 1, 0, 3, 5);
        GradCheck.Check(t => 2.5 - t[0] * 3.0 + 1.0, [x]);
        GradCheck.Check(t => t[0] / 4.0 - 0.5, [x]);
        GradCheck.Check(t => -t[0], [x]);
    }

    [Fact]
    public void MishAndSiLUForwardMatchClosedForm()
    {
        double[] xs = [-25, -3, -0.5, 0, 0.7, 4, 30];
        var y = Ops.Mish(Tensor.FromArray(xs, xs.Length)).ToDoubleArray();
        var s = Ops.SiLU(Tensor.FromArray(xs, xs.Length)).ToDoubleArray();
        for (var i = 0; i < xs.Length; i++)
        {
            var sp = Math.Log(1 + Math.Exp(xs[i]));
            Assert.Equal(xs[i] * Math.Tanh(sp), y[i], 1e-12);
            Assert.Equal(xs[i] / (1 + Math.Exp(-xs[i])), s[i], 1e-12);
        }
    }

    [Fact]
    public void ConvTranspose1dKernel4Stride2Padding1DoublesTheLength()
    {
        foreach (var len in new[] { 1, 2, 5 })
        {
            var x = GradCheck.Constant(Gen(70 + len), 2, 3, len);
            var w = GradCheck.Constant(Gen(71 + len), 3, 2, 4);
            Assert.Equal([2, 2, 2 * len], Ops.ConvTranspose1d(x, w, null, 2, 1).Shape);
        }
    }

    [Fact]
    public void FanOutAccumulatesGradients()
    {
        var g = Gen(170);
        var x = GradCheck.Input(g, 1, 0, 3, 3);
        GradCheck.Check(t =>
        {
            var a = Ops.SiLU(t[0]);
            return a * a + Ops.MatMul(a, t[0]) - t[0];
        }, [x]);
    }

    [Fact]
    public void FanOutThroughConcatSlicesAndAddAccumulatesIntoOwnedBuffers()
    {
        // A UNet skip: h feeds a Concat (whose backward hands over strided slices of its gradient) and a conv and a
        // GroupNorm that write their input gradient as contiguous buffers; an Add hands the same gradient to both inputs.
        var g = Gen(180);
        var x = GradCheck.Input(g, 1, 0, 2, 4, 3, 3);
        var w = GradCheck.Input(g, 0.5, 0, 4, 4, 3, 3);
        var gamma = GradCheck.Input(g, 0.2, 1, 4);
        GradCheck.Check(t =>
        {
            var h = Ops.SiLU(t[0]);
            var down = Ops.Conv2d(h, t[1], null, 1, 1);
            var cat = Ops.Concat([down, h], 1);
            var sum = h + Ops.GroupNorm(h, 2, t[2], null);
            return Ops.Conv2d(cat, Ops.Concat([t[1], t[1]], 1), null, 1, 1) * sum;
        }, [x, w, gamma]);
    }
}
