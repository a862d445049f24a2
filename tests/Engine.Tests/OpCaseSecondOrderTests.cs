using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;

namespace NativeTrustRegion.Engine.Tests;

/// <summary>
/// The float64 second-order check of every gradient-checked case of the op-case table: with L(x) = Σ f(x)·W,
/// (1) the create-graph gradient (<see cref="GradTape.Gradients"/>) equals the ordinary backward's gradient, and
/// (2) the Hessian-vector product H·v, by backward of Σ ∇L·v through the recorded gradient, equals central differences
/// of the ordinary gradient along v: (∇L(x + h·v) − ∇L(x − h·v)) / 2h, for all inputs moved together.
/// The same with L(x) = Σ f(x)²·W, so that for linear ops too the gradient depends on x and H·v runs through the
/// backward of each op's recorded backward (the adjoint ops). Ops listed in <see cref="OpCase.KernelsWithoutSecondOrder"/>
/// are checked to fail with a clear error instead.
/// </summary>
public class OpCaseSecondOrderTests
{
    private const double H = 1e-5;

    public static TheoryData<string, bool> SecondOrderCases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var c in OpCaseTable.All.Where(c => c.Checks.HasFlag(OpChecks.Gradient)))
        {
            data.Add(c.Name, false);
            data.Add(c.Name, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SecondOrderCases))]
    public void HessianVectorProductMatchesCentralDifferencesOfTheGradient(string name, bool squared)
    {
        var c = OpCaseTable.Named(name);
        var inputs = c.CreateInputs(DType.F64);
        foreach (var x in inputs)
        {
            x.RequiresGrad = true;
        }
        Tensor weights;
        using (GradMode.NoGrad())
        {
            weights = Tensor.Randn(c.Function!(inputs).Shape, new Generator(99), DType.F64);
        }
        Tensor Loss(Tensor[] xs) => Ops.SumAll(Ops.Mul(squared ? Ops.Square(c.Function!(xs)) : c.Function!(xs), weights));

        if (!c.HasSecondOrder)
        {
            var error = Assert.Throws<SecondOrderNotSupportedException>(() => GradTape.Current.Gradients(Loss(inputs), inputs));
            GradTape.Current.Clear();
            Assert.Contains("second-order gradients are not implemented for the op", error.Message);
            Assert.Contains("--meta-gradient first-order", error.Message);
            return;
        }

        var reference = FirstOrderGradients(Loss, inputs);
        var directions = inputs.Select((x, k) => Tensor.Randn(x.Shape, new Generator(500 + (ulong)k), DType.F64)).ToArray();

        var gradients = GradTape.Current.Gradients(Loss(inputs), inputs);
        for (var k = 0; k < inputs.Length; k++)
        {
            AssertClose(reference[k], gradients[k].ToDoubleArray(), 1e-12, 1e-10, $"{name}: create-graph gradient of input {k}");
        }
        var inner = gradients.Select((g, k) => Ops.SumAll(Ops.Mul(g, directions[k]))).Aggregate(Ops.Add);
        foreach (var x in inputs)
        {
            x.Grad = null;
        }
        double[][] hv;
        if (inner.RequiresGrad)
        {
            GradTape.Current.Backward(inner);
            hv = inputs.Select(x => x.Grad?.ToDoubleArray() ?? new double[x.Numel]).ToArray();
        }
        else
        {
            // the gradient does not depend on the inputs (the op is linear in each of them): H = 0
            GradTape.Current.Clear();
            hv = inputs.Select(x => new double[x.Numel]).ToArray();
        }

        var plus = FirstOrderGradients(Loss, Moved(inputs, directions, H));
        var minus = FirstOrderGradients(Loss, Moved(inputs, directions, -H));
        for (var k = 0; k < inputs.Length; k++)
        {
            var numeric = plus[k].Zip(minus[k], (p, m) => (p - m) / (2 * H)).ToArray();
            AssertClose(numeric, hv[k], 1e-6, 1e-5, $"{name}: H·v of input {k}");
        }
    }

    private static double[][] FirstOrderGradients(Func<Tensor[], Tensor> loss, Tensor[] inputs)
    {
        foreach (var x in inputs)
        {
            x.Grad = null;
        }
        GradTape.Current.Backward(loss(inputs));
        return inputs.Select(x => x.Grad?.ToDoubleArray() ?? new double[x.Numel]).ToArray();
    }

    private static Tensor[] Moved(Tensor[] inputs, Tensor[] directions, double h) =>
        inputs.Select((x, k) =>
        {
            var values = x.ToDoubleArray().Zip(directions[k].ToDoubleArray(), (v, d) => v + h * d).ToArray();
            var moved = Tensor.FromArray(values, x.Shape);
            moved.RequiresGrad = true;
            return moved;
        }).ToArray();

    private static void AssertClose(double[] expected, double[] actual, double atol, double rtol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Select(Math.Abs).DefaultIfEmpty(0).Max();
        for (var i = 0; i < expected.Length; i++)
        {
            var diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= atol + rtol * Math.Max(Math.Abs(expected[i]), scale * 1e-3),
                $"{what} element {i}: expected {expected[i]:G12}, got {actual[i]:G12} (|diff| {diff:G3})");
        }
    }
}
