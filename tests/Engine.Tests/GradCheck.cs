using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// Float64 gradient checking: the analytic gradient from the tape against central differences of
/// L(x) = Σ f(x) ⊙ W for a fixed random W (so every output element's gradient path is exercised).
/// </summary>
public static class GradCheck
{
    public const double Eps = 1e-6;

    /// <summary>A float64 leaf with values from N(0, scale²) (+ shift), requiring a gradient.</summary>
    public static Tensor Input(Generator g, double scale = 1, double shift = 0, params int[] shape)
    {
        var t = Tensor.Randn(shape, g, DType.F64);
        var values = t.ToDoubleArray().Select(v => v * scale + shift).ToArray();
        var leaf = Tensor.FromArray(values, shape);
        leaf.RequiresGrad = true;
        return leaf;
    }

    public static Tensor Constant(Generator g, params int[] shape) => Tensor.Randn(shape, g, DType.F64);

    /// <summary>
    /// Asserts |analytic − numeric| ≤ atol + rtol·|numeric| for every element of every input that requires a gradient;
    /// returns the largest absolute difference seen.
    /// </summary>
    public static double Check(Func<Tensor[], Tensor> f, Tensor[] inputs, double atol = 1e-7, double rtol = 1e-5, ulong seed = 99)
    {
        foreach (var x in inputs)
        {
            x.Grad = null;
        }
        var outputShape = Run(f, inputs).Shape;
        var weights = Tensor.Randn(outputShape, new Generator(seed), DType.F64);
        var loss = Ops.SumAll(Ops.Mul(f(inputs), weights));
        GradTape.Current.Backward(loss);
        var worst = 0.0;
        for (var k = 0; k < inputs.Length; k++)
        {
            var x = inputs[k];
            if (!x.RequiresGrad)
            {
                continue;
            }
            Assert.True(x.Grad is not null, $"input {k} {TensorOpException.Format(x.Shape)} received no gradient");
            var analytic = x.Grad!.ToDoubleArray();
            var data = x.Span<double>();
            for (var i = 0; i < data.Length; i++)
            {
                var orig = data[i];
                data[i] = orig + Eps;
                var plus = Loss(f, inputs, weights);
                data[i] = orig - Eps;
                var minus = Loss(f, inputs, weights);
                data[i] = orig;
                var numeric = (plus - minus) / (2 * Eps);
                var diff = Math.Abs(analytic[i] - numeric);
                worst = Math.Max(worst, diff);
                Assert.True(diff <= atol + rtol * Math.Abs(numeric),
                    $"input {k} {TensorOpException.Format(x.Shape)} element {i}: analytic {analytic[i]:G10} vs numeric {numeric:G10} (|diff| {diff:G3})");
            }
        }
        return worst;
    }

    private static Tensor Run(Func<Tensor[], Tensor> f, Tensor[] inputs)
    {
        using var _ = GradMode.NoGrad();
        return f(inputs);
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights)
    {
        using var _ = GradMode.NoGrad();
        return Ops.SumAll(Ops.Mul(f(inputs), weights)).Item();
    }
}
