using NativeTrustRegion.Tests.Shared;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;
using Xunit.Abstractions;

namespace NativeTrustRegion.Models.Tests;

/// <summary>Whole-model float64 gradient checks through the composed graph.</summary>
public class GradientCheckTests(ITestOutputHelper output)
{
    [Fact]
    public void WholeImageUNetGradientsMatchCentralDifferences()
    {
        var store = new ParameterStore(DType.F64);
        var model = new ImageUNet(store, TinyUNets.ThreeLevelImage);
        store.Allocate(3);
        var g = new Generator(4);
        var x = ModelGradientCheck.Input(g, 2, 2, 8, 8);
        var t = Tensor.FromArray([17.0, 640.0], 2);
        var labels = Tensor.FromArray([2.0, 0.0], 2);
        // Dropout is on: the mask is redrawn from the same generator position at every evaluation.
        model.Training = true;
        model.DropoutGenerator = new Generator(9);
        Tensor Forward()
        {
            model.DropoutGenerator.Restore(0);
            return model.PredictNoise(x, t, labels);
        }
        var result = ModelGradientCheck.Run(store, Forward, [x], elementsPerParameter: 2, elementsPerInput: 24,
            absoluteTolerance: 1e-6, relativeTolerance: 1e-5);
        output.WriteLine($"image UNet ({store.Count} parameters, {store.Parameters.Count} tensors): {result}");
        Assert.True(result.ParameterElements > 150);
    }

    [Fact]
    public void WholePolicyUNetGradientsMatchCentralDifferences()
    {
        var store = new ParameterStore(DType.F64);
        var model = new PolicyUNet(store, TinyUNets.Policy);
        store.Allocate(5);
        var g = new Generator(6);
        var actions = ModelGradientCheck.Input(g, 3, 4, 2);
        var observations = ModelGradientCheck.Input(g, 3, 2, 3);
        var t = Tensor.FromArray([3.0, 250.0, 999.0], 3);
        var result = ModelGradientCheck.Run(store, () => model.PredictNoise(actions, t, observations), [actions, observations],
            elementsPerParameter: 2, elementsPerInput: 12, absoluteTolerance: 1e-6, relativeTolerance: 1e-5);
        output.WriteLine($"policy UNet ({store.Count} parameters, {store.Parameters.Count} tensors): {result}");
        Assert.True(result.ParameterElements > 100);
    }
}
