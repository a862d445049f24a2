using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// Float64 central-difference check of a whole model: L = Σ f(inputs) ⊙ W for a fixed random W, the tape's gradient
/// of L against (L(θ + h) − L(θ − h)) / 2h for a sample of parameter elements (a few from every parameter tensor)
/// and of input elements.
/// </summary>
public static class ModelGradientCheck
{
    private const double Step = 1e-6;

    public sealed record Result(int ParameterElements, int InputElements, double WorstAbsoluteError, double WorstRelativeError);

    /// <param name="forward">Runs the model on the inputs (must be deterministic).</param>
    public static Result Run(ParameterStore store, Func<Tensor> forward, Tensor[] inputs, int elementsPerParameter, int elementsPerInput,
        double absoluteTolerance, double relativeTolerance, ulong seed = 17)
    {
        Assert.Equal(DType.F64, store.DType);
        var g = new Generator(seed);
        Tensor weights;
        using (GradMode.NoGrad())
        {
            weights = Tensor.Randn(forward().Shape, g, DType.F64);
        }
        store.ZeroGrad();
        foreach (var x in inputs)
        {
            x.Grad = null;
        }
        GradTape.Current.Backward(Ops.SumAll(Ops.Mul(forward(), weights)));
        var analytic = store.Grad.ToDoubleArray();

        double Loss()
        {
            using var _ = GradMode.NoGrad();
            return Ops.SumAll(Ops.Mul(forward(), weights)).Item();
        }

        var worstAbs = 0.0;
        var worstRel = 0.0;
        void Compare(string what, Span<double> values, int index, double expected)
        {
            var original = values[index];
            values[index] = original + Step;
            var plus = Loss();
            values[index] = original - Step;
            var minus = Loss();
            values[index] = original;
            var numeric = (plus - minus) / (2 * Step);
            var error = Math.Abs(numeric - expected);
            worstAbs = Math.Max(worstAbs, error);
            worstRel = Math.Max(worstRel, error / Math.Max(Math.Abs(numeric), 1e-3));
            Assert.True(error <= absoluteTolerance + relativeTolerance * Math.Abs(numeric),
                $"{what}: analytic {expected:G10} vs numeric {numeric:G10} (|diff| {error:G3})");
        }

        var parameterElements = 0;
        foreach (var p in store.Parameters)
        {
            var flat = store.Data.Span<double>();
            for (var k = 0; k < Math.Min(elementsPerParameter, p.Numel); k++)
            {
                var index = (int)p.Offset + (k == 0 ? 0 : g.NextInt((int)p.Numel));
                Compare($"parameter {p.Name} element {index - p.Offset}", flat, index, analytic[index]);
                parameterElements++;
            }
        }
        var inputElements = 0;
        for (var i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i];
            var grad = x.Grad!.ToDoubleArray();
            var values = x.Span<double>();
            for (var k = 0; k < Math.Min(elementsPerInput, values.Length); k++)
            {
                var index = g.NextInt(values.Length);
                Compare($"input {i} element {index}", values, index, grad[index]);
                inputElements++;
            }
        }
        return new Result(parameterElements, inputElements, worstAbs, worstRel);
    }

    /// <summary>A float64 leaf of N(0, 1) values that requires a gradient.</summary>
    public static Tensor Input(Generator g, params int[] shape)
    {
        var t = Tensor.FromArray(Tensor.Randn(shape, g, DType.F64).ToDoubleArray(), shape);
        t.RequiresGrad = true;
        return t;
    }
}
