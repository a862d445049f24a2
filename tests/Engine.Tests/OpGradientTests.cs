using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>Every differentiable op, float64 central differences vs the tape, on random shapes (odd sizes, size-1 dims).</summary>
public class OpGradientTests
{
    private static Generator Gen(int seed) => new((ulong)seed + 1000);

    /// <summary>Random sizes in [1, max], seeded per case; roughly one in four is 1.</summary>
    private static int[] Sizes(Generator g, int count, int max)
    {
        var result = new int[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = g.NextInt(4) == 0 ? 1 : 1 + g.NextInt(max);
        }
        return result;
    }

    [Theory]
    [InlineData(BinaryOp.Add)]
    [InlineData(BinaryOp.Sub)]
    [InlineData(BinaryOp.Mul)]
    [InlineData(BinaryOp.Div)]
    public void BroadcastingBinary(BinaryOp op)
    {
        for (var c = 0; c < 6; c++)
        {
            var g = Gen(c);
            var shape = Sizes(g, 3, 4);
            // the second operand drops leading dims and sets some dims to 1
            var other = shape.Skip(g.NextInt(2)).Select(d => g.NextInt(2) == 0 ? 1 : d).ToArray();
            var a = GradCheck.Input(g, 1, 0, shape);
            var b = op == BinaryOp.Div ? GradCheck.Input(g, 0.3, 2, other) : GradCheck.Input(g, 1, 0, other);
            var swap = c % 2 == 1;
            GradCheck.Check(x => swap ? Ops.Binary(op, x[1], x[0]) : Ops.Binary(op, x[0], x[1]), [a, b], rtol: 1e-5);
        }
    }

    [Fact]
    public void ScalarOps()
    {
        var g = Gen(1);
        var x = GradCheck.Input(g, 1, 0, 3, 5);
        GradCheck.Check(t => 2.5 - t[0] * 3.0 + 1.0, [x]);
        GradCheck.Check(t => t[0] / 4.0 - 0.5, [x]);
        GradCheck.Check(t => -t[0], [x]);
    }

    [Theory]
    [InlineData(UnaryOp.Exp, 0.5, 0)]
    [InlineData(UnaryOp.Log, 0.2, 2)]
    [InlineData(UnaryOp.Sqrt, 0.2, 2)]
    [InlineData(UnaryOp.Square, 1, 0)]
    [InlineData(UnaryOp.Reciprocal, 0.2, 2)]
    [InlineData(UnaryOp.Abs, 1, 0)]
    [InlineData(UnaryOp.Relu, 1, 0)]
    [InlineData(UnaryOp.Sigmoid, 2, 0)]
    [InlineData(UnaryOp.Tanh, 2, 0)]
    [InlineData(UnaryOp.SiLU, 3, 0)]
    [InlineData(UnaryOp.Mish, 3, 0)]
    public void Unary(UnaryOp op, double scale, double shift)
    {
        var g = Gen((int)op);
        var x = GradCheck.Input(g, scale, shift, 4, 7);
        if (op is UnaryOp.Abs or UnaryOp.Relu)
        {
            // keep away from the kink at 0, where central differences are not the derivative
            var d = x.Span<double>();
            for (var i = 0; i < d.Length; i++)
            {
                d[i] = Math.Abs(d[i]) < 1e-3 ? 0.5 : d[i];
            }
        }
        GradCheck.Check(t => Ops.Unary(op, t[0]), [x]);
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
    public void Clamp()
    {
        var g = Gen(5);
        var x = GradCheck.Input(g, 2, 0, 5, 3);
        var d = x.Span<double>();
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = Math.Abs(Math.Abs(d[i]) - 1) < 1e-3 ? 0.3 : d[i];
        }
        GradCheck.Check(t => Ops.Clamp(t[0], -1, 1), [x]);
    }

    [Fact]
    public void SumAndMeanOverAxes()
    {
        for (var c = 0; c < 5; c++)
        {
            var g = Gen(10 + c);
            var shape = Sizes(g, 4, 4);
            var x = GradCheck.Input(g, 1, 0, shape);
            var axes = Enumerable.Range(0, 4).Where(_ => g.NextInt(2) == 0).ToArray();
            if (axes.Length == 0)
            {
                axes = [c % 4];
            }
            GradCheck.Check(t => Ops.Sum(t[0], axes, keepDim: c % 2 == 0), [x]);
            GradCheck.Check(t => Ops.Mean(t[0], axes), [x]);
        }
        var y = GradCheck.Input(Gen(20), 1, 0, 3, 4);
        GradCheck.Check(t => Ops.SumAll(t[0]), [y]);
        GradCheck.Check(t => Ops.MeanAll(t[0]), [y]);
    }

    [Fact]
    public void MatMulPlainBatchedAndTransposedViews()
    {
        for (var c = 0; c < 4; c++)
        {
            var g = Gen(30 + c);
            var s = Sizes(g, 4, 5);
            int bsz = s[0], m = s[1], k = s[2], n = s[3];
            var a = GradCheck.Input(g, 1, 0, m, k);
            var b = GradCheck.Input(g, 1, 0, k, n);
            GradCheck.Check(t => Ops.MatMul(t[0], t[1]), [a, b]);
            var a3 = GradCheck.Input(g, 1, 0, bsz, m, k);
            var b3 = GradCheck.Input(g, 1, 0, bsz, k, n);
            GradCheck.Check(t => Ops.MatMul(t[0], t[1]), [a3, b3]);
            GradCheck.Check(t => Ops.MatMul(t[0], t[1]), [a3, b]);
            // operands given as transposed views of stored matrices
            var at = GradCheck.Input(g, 1, 0, bsz, k, m);
            var bt = GradCheck.Input(g, 1, 0, bsz, n, k);
            GradCheck.Check(t => Ops.MatMul(t[0].Transpose(1, 2), t[1].Transpose(1, 2)), [at, bt]);
        }
    }

    [Fact]
    public void Linear()
    {
        for (var c = 0; c < 4; c++)
        {
            var g = Gen(40 + c);
            var s = Sizes(g, 4, 6);
            var x = GradCheck.Input(g, 1, 0, s[0], s[1], s[2]);
            var w = GradCheck.Input(g, 1, 0, s[3], s[2]);
            var b = GradCheck.Input(g, 1, 0, s[3]);
            GradCheck.Check(t => Ops.Linear(t[0], t[1], t[2]), [x, w, b]);
            GradCheck.Check(t => Ops.Linear(t[0], t[1]), [x, w]);
        }
    }

    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(3, 1, 1)]
    [InlineData(3, 2, 1)]
    [InlineData(3, 1, 0)]
    [InlineData(1, 2, 0)]
    public void Conv2d(int kernel, int stride, int padding)
    {
        for (var c = 0; c < 3; c++)
        {
            var g = Gen(50 + 7 * kernel + stride + c);
            var s = Sizes(g, 3, 3);
            int n = s[0], cin = s[1], cout = s[2];
            int h = kernel + g.NextInt(4), w = kernel + 1 + g.NextInt(3);
            var x = GradCheck.Input(g, 1, 0, n, cin, h, w);
            var wt = GradCheck.Input(g, 0.5, 0, cout, cin, kernel, kernel);
            var b = GradCheck.Input(g, 1, 0, cout);
            GradCheck.Check(t => Ops.Conv2d(t[0], t[1], t[2], stride, padding), [x, wt, b]);
        }
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(5, 1, 2)]
    [InlineData(3, 2, 1)]
    [InlineData(5, 2, 2)]
    public void Conv1d(int kernel, int stride, int padding)
    {
        for (var c = 0; c < 3; c++)
        {
            var g = Gen(60 + kernel * 3 + stride + c);
            var s = Sizes(g, 3, 3);
            var len = 1 + g.NextInt(7);
            var x = GradCheck.Input(g, 1, 0, s[0], s[1], len);
            var w = GradCheck.Input(g, 0.5, 0, s[2], s[1], kernel);
            var b = GradCheck.Input(g, 1, 0, s[2]);
            GradCheck.Check(t => Ops.Conv1d(t[0], t[1], t[2], stride, padding), [x, w, b]);
        }
    }

    [Fact]
    public void ConvTranspose1dKernel4Stride2Padding1()
    {
        for (var c = 0; c < 4; c++)
        {
            var g = Gen(70 + c);
            var s = Sizes(g, 3, 3);
            var len = 1 + g.NextInt(5);
            var x = GradCheck.Input(g, 1, 0, s[0], s[1], len);
            var w = GradCheck.Input(g, 0.5, 0, s[1], s[2], 4);
            var b = GradCheck.Input(g, 1, 0, s[2]);
            GradCheck.Check(t => Ops.ConvTranspose1d(t[0], t[1], t[2], 2, 1), [x, w, b]);
            Assert.Equal(2 * len, Ops.ConvTranspose1d(x, w, b, 2, 1).Shape[2]);
        }
    }

    [Fact]
    public void UpsampleAndAvgPool()
    {
        var g = Gen(80);
        var x = GradCheck.Input(g, 1, 0, 2, 3, 3, 5);
        GradCheck.Check(t => Ops.UpsampleNearest2x(t[0]), [x]);
        var y = GradCheck.Input(g, 1, 0, 2, 3, 4, 6);
        GradCheck.Check(t => Ops.AvgPool2x2(t[0]), [y]);
    }

    [Theory]
    [InlineData(3, 2, 0)]
    [InlineData(3, 1, 1)]
    [InlineData(2, 1, 0)]
    [InlineData(3, 2, 1)]
    public void MaxPool2d(int kernel, int stride, int padding)
    {
        var x = GradCheck.Input(Gen(82), 1, 0, 2, 2, 7, 6);
        GradCheck.Check(t => Ops.MaxPool2d(t[0], kernel, stride, padding), [x]);
    }

    [Theory]
    [InlineData(3, 1, 1, false)]
    [InlineData(3, 1, 1, true)]
    [InlineData(3, 2, 0, true)]
    [InlineData(2, 2, 1, false)]
    public void AvgPool2d(int kernel, int stride, int padding, bool countIncludePad)
    {
        var x = GradCheck.Input(Gen(83), 1, 0, 2, 2, 7, 6);
        GradCheck.Check(t => Ops.AvgPool2d(t[0], kernel, stride, padding, countIncludePad), [x]);
    }

    [Theory]
    [InlineData(4, 5, 7, 3)]
    [InlineData(3, 4, 10, 9)]
    [InlineData(9, 8, 2, 5)]
    [InlineData(1, 3, 4, 1)]
    public void ResizeBilinear(int h, int w, int outH, int outW)
    {
        var x = GradCheck.Input(Gen(84), 1, 0, 2, 2, h, w);
        GradCheck.Check(t => Ops.ResizeBilinear(t[0], outH, outW), [x]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GroupNorm(bool affine)
    {
        for (var c = 0; c < 3; c++)
        {
            var g = Gen(90 + c);
            var groups = 1 + g.NextInt(3);
            var channels = groups * (1 + g.NextInt(3));
            var x = GradCheck.Input(g, 2, 0.5, 1 + g.NextInt(3), channels, 1 + g.NextInt(4), 1 + g.NextInt(3));
            var gamma = GradCheck.Input(g, 1, 1, channels);
            var beta = GradCheck.Input(g, 1, 0, channels);
            if (affine)
            {
                GradCheck.Check(t => Ops.GroupNorm(t[0], groups, t[1], t[2]), [x, gamma, beta], rtol: 1e-4);
            }
            else
            {
                GradCheck.Check(t => Ops.GroupNorm(t[0], groups, null, null), [x], rtol: 1e-4);
            }
        }
        // 1-D layout [N, C, T]
        var g2 = Gen(95);
        var x1 = GradCheck.Input(g2, 1, 0, 2, 4, 5);
        GradCheck.Check(t => Ops.GroupNorm(t[0], 2, t[1], t[2]), [x1, GradCheck.Input(g2, 1, 1, 4), GradCheck.Input(g2, 1, 0, 4)], rtol: 1e-4);
    }

    [Fact]
    public void LayerNorm()
    {
        var g = Gen(100);
        var x = GradCheck.Input(g, 2, 0.3, 2, 3, 7);
        var gamma = GradCheck.Input(g, 1, 1, 7);
        var beta = GradCheck.Input(g, 1, 0, 7);
        GradCheck.Check(t => Ops.LayerNorm(t[0], t[1], t[2]), [x, gamma, beta], rtol: 1e-4);
    }

    [Fact]
    public void Softmax()
    {
        var g = Gen(110);
        var x = GradCheck.Input(g, 2, 0, 3, 2, 6);
        GradCheck.Check(t => Ops.Softmax(t[0]), [x]);
        var single = GradCheck.Input(g, 1, 0, 4, 1);
        GradCheck.Check(t => Ops.Softmax(t[0]), [single]);
    }

    [Fact]
    public void ScaledDotProductAttention()
    {
        for (var c = 0; c < 3; c++)
        {
            var g = Gen(120 + c);
            var s = Sizes(g, 4, 4);
            int b = s[0], h = s[1], n = s[2], d = s[3];
            var q = GradCheck.Input(g, 1, 0, b, h, n, d);
            var k = GradCheck.Input(g, 1, 0, b, h, n, d);
            var v = GradCheck.Input(g, 1, 0, b, h, n, d);
            GradCheck.Check(t => Ops.ScaledDotProductAttention(t[0], t[1], t[2]), [q, k, v], rtol: 1e-4);
        }
    }

    [Fact]
    public void Embedding()
    {
        var g = Gen(130);
        var table = GradCheck.Input(g, 1, 0, 5, 3);
        var ids = Tensor.FromArray(new double[] { 4, 0, 4, 2, 1, 4 }, 6);
        GradCheck.Check(t => Ops.Embedding(t[0], ids), [table]);
    }

    [Fact]
    public void MseLossBothSides()
    {
        var g = Gen(140);
        var p = GradCheck.Input(g, 1, 0, 3, 5);
        var y = GradCheck.Input(g, 1, 0, 3, 5);
        GradCheck.Check(t => Ops.MseLoss(t[0], t[1]), [p, y]);
    }

    [Fact]
    public void DropoutWithFixedSeed()
    {
        var g = Gen(150);
        var x = GradCheck.Input(g, 1, 0, 4, 9);
        // same generator state on every evaluation, so the mask is fixed and the op is linear in x
        GradCheck.Check(t => Ops.Dropout(t[0], 0.3, new Generator(7)), [x]);
    }

    [Fact]
    public void ViewsReshapePermuteSliceExpandConcatSplit()
    {
        var g = Gen(160);
        var x = GradCheck.Input(g, 1, 0, 2, 3, 4);
        GradCheck.Check(t => t[0].Reshape(4, 6) * 2.0, [x]);
        GradCheck.Check(t => t[0].Permute(2, 0, 1).Contiguous(), [x]);
        GradCheck.Check(t => t[0].Permute(1, 2, 0).Reshape(3, 8), [x]);
        GradCheck.Check(t => t[0].Slice(2, 1, 2), [x]);
        GradCheck.Check(t => t[0].Slice(1, 0, 1).Expand(2, 5, 4), [x]);
        var y = GradCheck.Input(g, 1, 0, 2, 5, 4);
        GradCheck.Check(t => Ops.Concat([t[0], t[1], t[0]], 1), [x, y]);
        GradCheck.Check(t =>
        {
            var parts = Ops.Split(t[0], 2, 1, 3);
            return parts[1] * parts[0];
        }, [x]);
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
