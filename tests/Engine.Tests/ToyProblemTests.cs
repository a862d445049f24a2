using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>Small networks built from the ops fit toy problems: the whole stack (ops, tape, flat store, Adam) learns.</summary>
public class ToyProblemTests
{
    [Fact]
    public void MlpFitsASineToLowError()
    {
        var store = new ParameterStore();
        var w1 = store.Declare("fc1.weight", [32, 1], ParameterInit.FanIn(1));
        var b1 = store.Declare("fc1.bias", [32], ParameterInit.FanIn(1));
        var w2 = store.Declare("fc2.weight", [32, 32], ParameterInit.FanIn(32));
        var b2 = store.Declare("fc2.bias", [32], ParameterInit.FanIn(32));
        var w3 = store.Declare("fc3.weight", [1, 32], ParameterInit.FanIn(32));
        var b3 = store.Declare("fc3.bias", [1], ParameterInit.FanIn(32));
        store.Allocate(seed: 1);
        var xs = Enumerable.Range(0, 64).Select(i => (float)(-3 + 6.0 * i / 63)).ToArray();
        var x = Tensor.FromArray(xs, 64, 1);
        var y = Tensor.FromArray(xs.Select(v => MathF.Sin(v)).ToArray(), 64, 1);
        var adam = new Adam(store, 1e-2);
        double loss = double.NaN;
        for (var step = 0; step < 600; step++)
        {
            using var scope = TensorScope.Begin();
            store.ZeroGrad();
            var h = Ops.Tanh(Ops.Linear(x, w1.Value, b1.Value));
            h = Ops.Tanh(Ops.Linear(h, w2.Value, b2.Value));
            var l = Ops.MseLoss(Ops.Linear(h, w3.Value, b3.Value), y);
            GradTape.Current.Backward(l);
            adam.Step();
            loss = l.Item();
        }
        Assert.True(loss < 2e-3, $"MLP loss after 600 steps: {loss}");
    }

    [Fact]
    public void ConvNetSeparatesTwoPatternClasses()
    {
        // class 0: a horizontal bar, class 1: a vertical bar, at random positions, with noise; 8x8 images
        var g = new Generator(5);
        const int n = 64;
        var images = new float[n * 64];
        var targets = new float[n * 2];
        for (var i = 0; i < n; i++)
        {
            var cls = i % 2;
            var pos = 1 + g.NextInt(6);
            for (var j = 0; j < 8; j++)
            {
                var p = cls == 0 ? pos * 8 + j : j * 8 + pos;
                images[i * 64 + p] = 1;
            }
            for (var p = 0; p < 64; p++)
            {
                images[i * 64 + p] += (float)(0.2 * g.NextNormal());
            }
            targets[i * 2 + cls] = 1;
        }
        var x = Tensor.FromArray(images, n, 1, 8, 8);
        var t = Tensor.FromArray(targets, n, 2);
        var store = new ParameterStore();
        var c1 = store.Declare("conv1.weight", [8, 1, 3, 3], ParameterInit.FanIn(9));
        var c1b = store.Declare("conv1.bias", [8], ParameterInit.FanIn(9));
        var c2 = store.Declare("conv2.weight", [8, 8, 3, 3], ParameterInit.FanIn(72));
        var c2b = store.Declare("conv2.bias", [8], ParameterInit.FanIn(72));
        var gnw = store.Declare("norm.weight", [8], ParameterInit.Ones);
        var gnb = store.Declare("norm.bias", [8], ParameterInit.Zeros);
        var fc = store.Declare("fc.weight", [2, 8 * 4 * 4], ParameterInit.FanIn(128));
        var fcb = store.Declare("fc.bias", [2], ParameterInit.FanIn(128));
        store.Allocate(seed: 2);
        var adam = new Adam(store, 3e-3);
        Tensor Forward()
        {
            var h = Ops.SiLU(Ops.Conv2d(x, c1.Value, c1b.Value, 1, 1));
            h = Ops.GroupNorm(Ops.Conv2d(h, c2.Value, c2b.Value, 2, 1), 2, gnw.Value, gnb.Value);
            h = Ops.SiLU(h);
            return Ops.Linear(h.Reshape(n, -1), fc.Value, fcb.Value);
        }
        double loss = double.NaN;
        for (var step = 0; step < 150; step++)
        {
            using var scope = TensorScope.Begin();
            store.ZeroGrad();
            var l = Ops.MseLoss(Forward(), t);
            GradTape.Current.Backward(l);
            adam.Step();
            loss = l.Item();
        }
        Assert.True(loss < 0.02, $"conv net loss after 150 steps: {loss}");
        var output = Forward().ToFloatArray();
        var correct = Enumerable.Range(0, n).Count(i => (output[i * 2 + 1] > output[i * 2]) == (i % 2 == 1));
        Assert.Equal(n, correct);
    }
}
