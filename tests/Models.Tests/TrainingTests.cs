using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;
using NativeTrustRegion.Engine.Optim;
using NativeTrustRegion.Engine.Randomness;
using NativeTrustRegion.Models.Diffusion;
using NativeTrustRegion.Models.Image;
using Xunit.Abstractions;

namespace NativeTrustRegion.Models.Tests;

/// <summary>End to end on the CPU: train a small class-conditional image UNet, sample with DDIM, classify the samples.</summary>
public class TrainingTests(ITestOutputHelper output)
{
    [Fact]
    public void TinyImageUNetLearnsClassConditionalShapes()
    {
        // image-tiny's layout (attention at 8x8 down and up, mid attention, resnet upsampling) at half its width.
        var config = ImageUNetPresets.Tiny with { BlockOutChannels = [16, 32], Classes = SyntheticShapes.Classes, Dropout = 0 };
        var store = new ParameterStore();
        var model = new ImageUNet(store, config);
        store.Allocate(7);
        var adam = new Adam(store, 2e-3);
        var schedule = NoiseSchedule.Linear();
        var data = new Generator(11);
        var noise = new Generator(12);
        const int steps = 300, batch = 32;
        double firstLosses = 0, lastLosses = 0;
        for (var step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            var (images, labels) = SyntheticShapes.Batch(batch, data);
            store.ZeroGrad();
            var loss = DenoisingLoss.Compute(model, schedule, images, labels, noise);
            GradTape.Current.Backward(loss);
            adam.Step();
            var value = loss.Item();
            Assert.True(double.IsFinite(value), $"loss {value} at step {step}");
            if (step < 20)
            {
                firstLosses += value / 20;
            }
            if (step >= steps - 20)
            {
                lastLosses += value / 20;
            }
        }

        const int perClass = 12;
        var wanted = Enumerable.Range(0, SyntheticShapes.Classes * perClass).Select(i => (float)(i / perClass)).ToArray();
        var samples = new DdimSampler(schedule).Sample(model, Tensor.FromArray(wanted, wanted.Length), wanted.Length, new Generator(123)).ToFloatArray();
        var pixels = SyntheticShapes.Size * SyntheticShapes.Size;
        var correct = Enumerable.Range(0, wanted.Length).Count(i => SyntheticShapes.Classify(samples.AsSpan(i * pixels, pixels)) == (int)wanted[i]);
        var accuracy = (double)correct / wanted.Length;
        output.WriteLine($"{store.Count} parameters, {steps} Adam steps of batch {batch}: mean loss {firstLosses:F4} (first 20) → {lastLosses:F4} (last 20); " +
            $"DDIM-50 samples labelled correctly by the template classifier: {correct}/{wanted.Length} = {accuracy:P1} (chance 25%)");
        Assert.True(lastLosses < 0.5 * firstLosses, $"loss {firstLosses} → {lastLosses}");
        Assert.True(accuracy >= 0.75, $"accuracy {accuracy:P1}");
    }
}
