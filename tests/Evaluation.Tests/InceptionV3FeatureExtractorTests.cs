using NativeTrustRegion.Data;
using NativeTrustRegion.Data.Tests;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Evaluation;

namespace NativeTrustRegion.Evaluation.Tests;

/// <summary>One full-size stand-in weights file (random values, every real tensor name and shape) and the extractor loaded from it.</summary>
public sealed class InceptionStandInFixture : IDisposable
{
    public InceptionStandInFixture()
    {
        Path = Directory.Combine("inception-standin.safetensors");
        InceptionStandInWeights.Write(Path, seed: 11);
        Weights = InceptionV3WeightsFile.Open(Path);
        Extractor = new InceptionV3FeatureExtractor(InceptionV3Network.Load(Weights), 1, 16, 16);
    }

    public TemporaryDirectory Directory { get; } = new();

    public string Path { get; }

    public InceptionV3WeightsFile Weights { get; }

    public InceptionV3FeatureExtractor Extractor { get; }

    public void Dispose() => Directory.Dispose();
}

/// <summary>
/// The Inception-v3 FID path with a stand-in weights file written at run time (the real weights cannot be downloaded
/// here, so nothing is compared with pytorch-fid's numbers): the layer table against torchvision's published sizes, the
/// loader's name and shape checks, BatchNorm folding, and features of the full 299×299 network.
/// </summary>
public sealed class InceptionV3FeatureExtractorTests(InceptionStandInFixture fixture) : IClassFixture<InceptionStandInFixture>
{
    [Fact]
    public void LayerTableHasTorchvisionsShapesAndParameterCount()
    {
        Assert.Equal(94, InceptionV3Architecture.Convs.Count);
        var shapes = InceptionV3Architecture.Tensors(1008).ToDictionary(t => t.Name, t => t.Shape);
        Assert.Equal(new[] { 32, 3, 3, 3 }, shapes["Conv2d_1a_3x3.conv.weight"]);
        Assert.Equal(new[] { 192, 80, 3, 3 }, shapes["Conv2d_4a_3x3.conv.weight"]);
        Assert.Equal(new[] { 32, 192, 1, 1 }, shapes["Mixed_5b.branch_pool.conv.weight"]);
        Assert.Equal(new[] { 64, 48, 5, 5 }, shapes["Mixed_5d.branch5x5_2.conv.weight"]);
        Assert.Equal(new[] { 384, 288, 3, 3 }, shapes["Mixed_6a.branch3x3.conv.weight"]);
        Assert.Equal(new[] { 128, 128, 1, 7 }, shapes["Mixed_6b.branch7x7_2.conv.weight"]);
        Assert.Equal(new[] { 192, 160, 7, 1 }, shapes["Mixed_6c.branch7x7_3.conv.weight"]);
        Assert.Equal(new[] { 192, 192, 7, 1 }, shapes["Mixed_7a.branch7x7x3_3.conv.weight"]);
        Assert.Equal(new[] { 384, 448, 3, 3 }, shapes["Mixed_7b.branch3x3dbl_2.conv.weight"]);
        Assert.Equal(new[] { 384, 384, 3, 1 }, shapes["Mixed_7c.branch3x3dbl_3b.conv.weight"]);
        Assert.Equal(new[] { 192 }, shapes["Mixed_7c.branch_pool.bn.running_var"]);
        Assert.Equal(new[] { 1008, 2048 }, shapes["fc.weight"]);
        // torchvision's inception_v3 has 27,161,264 parameters; without AuxLogits (3,326,696) and fc (2,049,000) the
        // conv weights and BatchNorm γ, β are 21,785,568
        long convWeights = InceptionV3Architecture.Convs.Sum(c => (long)c.Out * c.In * c.KernelH * c.KernelW);
        long channels = InceptionV3Architecture.Convs.Sum(c => (long)c.Out);
        Assert.Equal(21_785_568, convWeights + 2 * channels);
        Assert.Equal(convWeights + 4 * channels + 1008 * 2049, InceptionV3Architecture.Tensors(1008).Sum(t => (long)Shape.Numel(t.Shape)));
    }

    [Fact]
    public void StandInFileLoadsAndGivesFinite2048dFeaturesAndLogits()
    {
        var extractor = fixture.Extractor;
        Assert.Equal(2048, extractor.FeatureDimension);
        Assert.Equal(1008, extractor.ClassCount);
        Assert.Equal($"Inception-v3 (pytorch-fid weights from {fixture.Path})", extractor.Name);
        Assert.Equal("torchvision Inception3 names", fixture.Weights.Layout);

        var images = Glyphs(2);
        var features = new float[2 * 2048];
        var logits = new float[2 * 1008];
        extractor.Extract(images, 2, features, logits);
        Assert.All(features, v => Assert.True(float.IsFinite(v) && v >= 0, $"feature {v}")); // means of ReLU outputs
        Assert.All(logits, v => Assert.True(float.IsFinite(v)));
        Assert.True(features.Count(v => v > 0) > 1000, "most pool3 features of a random network are positive");
        Assert.NotEqual(features.AsSpan(0, 2048).ToArray(), features.AsSpan(2048, 2048).ToArray());

        // identical inputs give identical features, in one batch and across calls
        var twice = new float[2 * 2048];
        var pair = images.AsSpan(0, 256).ToArray().Concat(images.AsSpan(0, 256).ToArray()).ToArray();
        extractor.Extract(pair, 2, twice, new float[2 * 1008]);
        Assert.Equal(twice.AsSpan(0, 2048).ToArray(), twice.AsSpan(2048, 2048).ToArray());
        Assert.Equal(features.AsSpan(0, 2048).ToArray(), twice.AsSpan(0, 2048).ToArray());
    }

    [Fact]
    public void FidOfASetAgainstItselfIsZeroAndAgainstAnotherSetIsNot()
    {
        var extractor = fixture.Extractor;
        var set = Glyphs(3);
        var other = Glyphs(6).AsSpan(3 * 256).ToArray();
        var first = FeatureEvaluator.Statistics(extractor, set, 3);
        var again = FeatureEvaluator.Statistics(extractor, set, 3);
        Assert.Equal(first.Mean, again.Mean);
        var trace = Enumerable.Range(0, 2048).Sum(i => first.CovarianceAt(i, i));
        Assert.True(trace > 0, "the features vary across the set");
        var self = FrechetDistance.Compute(first, again);
        Assert.True(self <= 1e-9 * trace, $"FID of a set against itself {self:G4} (trace of the covariance {trace:G4})");
        var distinct = FrechetDistance.Compute(first, FeatureEvaluator.Statistics(extractor, other, 3));
        Assert.True(distinct > 1e-3 * trace, $"FID between different sets {distinct:G4} (trace {trace:G4})");
    }

    [Fact]
    public void BatchNormIsFoldedIntoTheConvolution()
    {
        var conv = InceptionV3Architecture.Conv("Mixed_6b.branch7x7_2");
        var (weight, bias) = fixture.Weights.FoldedConv(conv);
        var w = fixture.Weights.Read($"{conv.Name}.conv.weight");
        var gamma = fixture.Weights.Read($"{conv.Name}.bn.weight");
        var beta = fixture.Weights.Read($"{conv.Name}.bn.bias");
        var mean = fixture.Weights.Read($"{conv.Name}.bn.running_mean");
        var variance = fixture.Weights.Read($"{conv.Name}.bn.running_var");
        var perChannel = conv.In * conv.KernelH * conv.KernelW;
        foreach (var c in new[] { 0, 57, 127 })
        {
            var scale = gamma[c] / Math.Sqrt(variance[c] + 0.001);
            Assert.Equal(beta[c] - mean[c] * scale, bias[c], 1e-6);
            foreach (var i in new[] { 0, 300, perChannel - 1 })
            {
                Assert.Equal(w[c * perChannel + i] * scale, weight[c * perChannel + i], 1e-6);
            }
        }
    }

    [Fact]
    public void MissingTensorIsNamedWithTheFile()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.Combine("missing.safetensors");
        InceptionStandInWeights.Write(path, omit: "Mixed_6b.branch7x7_2.conv.weight", zeros: true);
        var e = Assert.Throws<SafeTensorsException>(() => InceptionV3WeightsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("tensor 'Mixed_6b.branch7x7_2.conv.weight' [128, 128, 1, 7] of the FID Inception-v3 is missing", e.Message);
        Assert.Contains("README", e.Message);
    }

    [Fact]
    public void WrongShapeIsNamedWithBothShapes()
    {
        using var dir = new TemporaryDirectory();
        var path = dir.Combine("wrong-shape.safetensors");
        InceptionStandInWeights.Write(path, reshape: ("Mixed_5c.branch_pool.conv.weight", [64, 256, 3, 3]), zeros: true);
        var e = Assert.Throws<SafeTensorsException>(() => InceptionV3WeightsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("tensor 'Mixed_5c.branch_pool.conv.weight' has shape [64, 256, 3, 3] but the FID Inception-v3 needs [64, 256, 1, 1]", e.Message);
    }

    [Fact]
    public void PrefixedAndWrapperNamingsReadTheSameTensors()
    {
        using var dir = new TemporaryDirectory();
        var prefixed = dir.Combine("module.safetensors");
        InceptionStandInWeights.Write(prefixed, seed: 11, rename: n => "module." + n);
        var fromPrefixed = InceptionV3WeightsFile.Open(prefixed);
        Assert.Equal("torchvision Inception3 names under prefix 'module.'", fromPrefixed.Layout);
        Assert.Equal(1008, fromPrefixed.FcClasses);

        // pytorch-fid's InceptionV3 wrapper: blocks.<block>.<position>.…, no fc
        var wrapper = dir.Combine("wrapper.safetensors");
        InceptionStandInWeights.Write(wrapper, seed: 11, fcClasses: 0, rename: n =>
        {
            var dot = n.IndexOf('.');
            return InceptionV3Architecture.WrapperBlockNames[n[..dot]] + n[dot..];
        });
        var fromWrapper = InceptionV3WeightsFile.Open(wrapper);
        Assert.StartsWith("pytorch-fid InceptionV3 wrapper names", fromWrapper.Layout);
        Assert.Equal(0, fromWrapper.FcClasses);
        Assert.Equal("blocks.2.4.branch7x7_2.conv.weight", fromWrapper.FileName("Mixed_6b.branch7x7_2.conv.weight"));
        Assert.Equal("blocks.0.0.bn.running_var", fromWrapper.FileName("Conv2d_1a_3x3.bn.running_var"));

        foreach (var conv in new[] { "Conv2d_1a_3x3", "Mixed_6b.branch7x7_2", "Mixed_7c.branch_pool" })
        {
            var expected = fixture.Weights.FoldedConv(InceptionV3Architecture.Conv(conv));
            Assert.Equal(expected.Weight, fromPrefixed.FoldedConv(InceptionV3Architecture.Conv(conv)).Weight);
            Assert.Equal(expected.Bias, fromWrapper.FoldedConv(InceptionV3Architecture.Conv(conv)).Bias);
        }
    }

    [Fact]
    public void OtherChannelCountsAreRejected()
    {
        var network = InceptionV3Network.Load(fixture.Weights);
        var e = Assert.Throws<ArgumentException>(() => new InceptionV3FeatureExtractor(network, 2, 32, 32));
        Assert.Contains("2 channels", e.Message);
    }

    /// <summary>The first <paramref name="count"/> held-out embedded glyphs (1×16×16 in [-1, 1]), one per class.</summary>
    private static float[] Glyphs(int count)
    {
        var splits = EmbeddedGlyphDataset.Generate(new EmbeddedGlyphOptions { TrainPerClass = 1, HeldOutPerClass = 1 });
        var images = new float[count * 256];
        for (var i = 0; i < count; i++)
        {
            splits.HeldOut.CopyImage(i, images.AsSpan(i * 256, 256));
        }
        return images;
    }
}
