using NativeTrustRegion.Data;
using NativeTrustRegion.Evaluation;
using NativeTrustRegion.Experiments.Configuration;
using NativeTrustRegion.Experiments.Images;
using NativeTrustRegion.Models.Diffusion;

namespace NativeTrustRegion.Experiments.Tests;

/// <summary>FID and sample accuracy come from two roles: the FID feature network (e.g. Inception-v3) and the data set's classifier.</summary>
public sealed class ImageTaskEvaluatorTests
{
    [Fact]
    public void TheMetricNamesTheFidNetworkAndSampleAccuracyTheClassifier()
    {
        var splits = EmbeddedGlyphDataset.Generate(new EmbeddedGlyphOptions { TrainPerClass = 1, HeldOutPerClass = 4 });
        var network = new ClassifierNetwork(1, 10);
        network.Store.Allocate(1);
        var classifier = new ClassifierFeatureExtractor(network, "embedded", 16, 16, 0.5);
        var settings = new EvaluationSettings { SamplesPerTask = 4, DdimSteps = 2 };
        var heldOut = new[] { splits.HeldOut.WithClasses([0, 1]) };

        var evaluator = new ImageTaskEvaluator(new PixelFeatureExtractor(1, 16, 16), classifier, [[0, 1]], heldOut, NoiseSchedule.Linear(), settings, 1);
        Assert.Equal("FID (pixels-avgpool4x4)", evaluator.Metric.Name);
        Assert.Contains("features of pixels-avgpool4x4", evaluator.Metric.Description);
        Assert.Contains(classifier.Name, evaluator.SecondaryMetric!.Description);

        var e = Assert.Throws<ArgumentException>(() =>
            new ImageTaskEvaluator(new PixelFeatureExtractor(1, 32, 32), classifier, [[0, 1]], heldOut, NoiseSchedule.Linear(), settings, 1));
        Assert.Contains("takes 1×32×32 images", e.Message);
    }
}
