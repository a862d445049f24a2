using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Models.Image;
using NativeTrustRegion.Models.Policy;

namespace NativeTrustRegion.Models.Tests;

/// <summary>Wrong shapes and configurations fail with messages that name the model and the expected and actual shapes.</summary>
public class ShapeErrorTests
{
    [Fact]
    public void ImageUNetNamesTheExpectedAndActualShapes()
    {
        var store = new ParameterStore();
        var model = new ImageUNet(store, ImageUNetPresets.Tiny, "ImageUNet image-tiny");
        store.Allocate(1);
        var t = Tensor.FromArray([1f, 2f], 2);
        var labels = Tensor.FromArray([0f, 1f], 2);
        var wrongSize = Assert.Throws<TensorOpException>(() => model.PredictNoise(Tensor.Zeros([2, 1, 28, 28]), t, labels));
        Assert.Contains("ImageUNet image-tiny", wrongSize.Message);
        Assert.Contains("[B, 1, 16, 16]", wrongSize.Message);
        Assert.Contains("[2, 1, 28, 28]", wrongSize.Message);
        var noLabels = Assert.Throws<TensorOpException>(() => model.PredictNoise(Tensor.Zeros([2, 1, 16, 16]), t, null));
        Assert.Contains("class labels [2]", noLabels.Message);
        var badLabel = Assert.Throws<TensorOpException>(() => model.PredictNoise(Tensor.Zeros([2, 1, 16, 16]), t, Tensor.FromArray([0f, 10f], 2)));
        Assert.Contains("[0, 10)", badLabel.Message);
        var badTime = Assert.Throws<TensorOpException>(() => model.PredictNoise(Tensor.Zeros([2, 1, 16, 16]), Tensor.FromArray([1f], 1), labels));
        Assert.Contains("timesteps [2]", badTime.Message);
    }

    [Fact]
    public void PolicyUNetNamesTheExpectedAndActualShapes()
    {
        var store = new ParameterStore();
        var model = new PolicyUNet(store, PolicyUNetPresets.Tiny, "PolicyUNet policy-tiny");
        store.Allocate(1);
        var t = Tensor.FromArray([1f], 1);
        var error = Assert.Throws<TensorOpException>(() => model.PredictNoise(Tensor.Zeros([1, 4, 8]), t, Tensor.Zeros([1, 6, 39])));
        Assert.Contains("PolicyUNet policy-tiny", error.Message);
        Assert.Contains("[B, 8, 4]", error.Message);
        Assert.Contains("[1, 4, 8]", error.Message);
        var obs = Assert.Throws<TensorOpException>(() => model.PredictNoise(Tensor.Zeros([1, 8, 4]), t, Tensor.Zeros([1, 5, 39])));
        Assert.Contains("[1, 6, 39] or [1, 234]", obs.Message);
        // Both observation layouts are accepted and agree.
        var o = Tensor.Randn([1, 6, 39], new Engine.Randomness.Generator(2));
        var x = Tensor.Randn([1, 8, 4], new Engine.Randomness.Generator(3));
        Assert.Equal(model.PredictNoise(x, t, o).ToFloatArray(), model.PredictNoise(x, t, o.Reshape(1, 234)).ToFloatArray());
    }

    [Fact]
    public void InconsistentConfigurationsAreRefusedWithTheModelName()
    {
        var levels = Assert.Throws<ArgumentException>(() => new ImageUNet(new ParameterStore(), ImageUNetPresets.Tiny with { DownBlocks = [UNetBlockKind.Plain] }, "M1"));
        Assert.Contains("M1", levels.Message);
        var groups = Assert.Throws<ArgumentException>(() => new ImageUNet(new ParameterStore(), ImageUNetPresets.Tiny with { NormGroups = 5 }, "M2"));
        Assert.Contains("NormGroups 5", groups.Message);
        var size = Assert.Throws<ArgumentException>(() => new ImageUNet(new ParameterStore(), ImageUNetPresets.Small28 with { SampleSize = 30 }, "M3"));
        Assert.Contains("SampleSize 30", size.Message);
        var horizon = Assert.Throws<ArgumentException>(() => new PolicyUNet(new ParameterStore(), PolicyUNetPresets.Paper with { Horizon = 6 }, "P1"));
        Assert.Contains("Horizon 6", horizon.Message);
    }
}
