using NativeTrustRegion.Tests.Shared;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;
using Xunit.Abstractions;

namespace NativeTrustRegion.Models.Tests;

/// <summary>
/// Whole-model float64 Hessian-vector products through the composed graph: for the MSE loss L(θ) of the tiny image
/// and policy UNets (every layer of each, dropout on for the image model), H·v from the create-graph gradient
/// (<see cref="GradTape.Gradients"/>, then backward of Σ ∇L·v) against central differences of the ordinary gradient,
/// (∇L(θ + h·v) − ∇L(θ − h·v)) / 2h, on every parameter element.
/// </summary>
public class SecondOrderGradientTests(ITestOutputHelper output)
{
    private const double H = 2e-6;

    [Fact]
    public void WholeImageUNetHessianVectorProductMatchesCentralDifferences()
    {
        var store = new ParameterStore(DType.F64);
        var model = new ImageUNet(store, TinyUNets.ThreeLevelImage);
        store.Allocate(3);
        var g = new Generator(4);
        var x = Tensor.Randn([2, 2, 8, 8], g, DType.F64);
        var target = Tensor.Randn([2, 2, 8, 8], g, DType.F64);
        var t = Tensor.FromArray([17.0, 640.0], 2);
        var labels = Tensor.FromArray([2.0, 0.0], 2);
        model.Training = true;
        model.DropoutGenerator = new Generator(9);
        Tensor Loss()
        {
            model.DropoutGenerator.Restore(0);
            return Ops.MseLoss(model.PredictNoise(x, t, labels), target);
        }
        var worst = Check(store, Loss);
        output.WriteLine($"image UNet ({store.Count} parameters): worst |H·v − numeric| / max|numeric| = {worst:G3}");
    }

    [Fact]
    public void WholePolicyUNetHessianVectorProductMatchesCentralDifferences()
    {
        var store = new ParameterStore(DType.F64);
        var model = new PolicyUNet(store, TinyUNets.Policy);
        store.Allocate(5);
        var g = new Generator(6);
        var actions = Tensor.Randn([3, 4, 2], g, DType.F64);
        var observations = Tensor.Randn([3, 2, 3], g, DType.F64);
        var target = Tensor.Randn([3, 4, 2], g, DType.F64);
        var t = Tensor.FromArray([3.0, 250.0, 999.0], 3);
        var worst = Check(store, () => Ops.MseLoss(model.PredictNoise(actions, t, observations), target));
        output.WriteLine($"policy UNet ({store.Count} parameters): worst |H·v − numeric| / max|numeric| = {worst:G3}");
    }

    private static double Check(ParameterStore store, Func<Tensor> loss)
    {
        var v = Tensor.Randn([(int)store.Count], new Generator(77), DType.F64);
        var leaves = store.Parameters.Select(p => p.Value).ToArray();
        var gradients = GradTape.Current.Gradients(loss(), leaves);
        var inner = store.Parameters.Select((p, i) => Ops.SumAll(Ops.Mul(gradients[i], ParameterStore.ViewIn(v, p)))).Aggregate(Ops.Add);
        store.ZeroGrad();
        GradTape.Current.Backward(inner);
        var hv = store.Grad.ToDoubleArray();

        var theta = store.Data.ToDoubleArray();
        var direction = v.ToDoubleArray();
        double[] GradientAt(double h)
        {
            var data = store.Data.Span<double>();
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = theta[i] + h * direction[i];
            }
            store.ZeroGrad();
            GradTape.Current.Backward(loss());
            return store.Grad.ToDoubleArray();
        }
        var plus = GradientAt(H);
        var minus = GradientAt(-H);
        GradientAt(0);
        var numeric = plus.Zip(minus, (p, m) => (p - m) / (2 * H)).ToArray();
        var scale = numeric.Max(Math.Abs);
        Assert.True(scale > 1e-3, $"the Hessian-vector product is ~0 (max {scale:G3}): the check would be vacuous");
        var worst = 0.0;
        for (var i = 0; i < numeric.Length; i++)
        {
            var error = Math.Abs(hv[i] - numeric[i]);
            worst = Math.Max(worst, error / scale);
            Assert.True(error <= 1e-6 * scale + 1e-5 * Math.Abs(numeric[i]),
                $"parameter element {i}: H·v {hv[i]:G10} vs numeric {numeric[i]:G10} (|diff| {error:G3}, scale {scale:G3})");
        }
        return worst;
    }
}
