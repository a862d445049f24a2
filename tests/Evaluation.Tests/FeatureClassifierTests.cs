using NativeTrustRegion.Data;
using NativeTrustRegion.Engine.Checkpoints;
using NativeTrustRegion.Evaluation;

namespace NativeTrustRegion.Evaluation.Tests;

/// <summary>The FID feature classifier: trained on the embedded set's real images it separates the classes; its cache is checked.</summary>
public sealed class FeatureClassifierTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("ntr-classifier-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public void EmbeddedClassesAreSeparableByTheFeatureClassifierAndTheCacheIsVerified()
    {
        var splits = EmbeddedGlyphDataset.Generate(new EmbeddedGlyphOptions { TrainPerClass = 400, HeldOutPerClass = 100 });
        var options = new FeatureClassifierTrainer.Options { Epochs = 3 };
        var classifier = FeatureClassifierTrainer.LoadOrTrain(splits, _cache, options);
        // measured 99.9 % on this split; the classes are clearly different glyphs
        Assert.True(classifier.HeldOutAccuracy >= 0.97, $"held-out accuracy {classifier.HeldOutAccuracy:P2}");
        Assert.Equal(classifier.HeldOutAccuracy, FeatureEvaluator.ClassifierAccuracy(classifier, splits.HeldOut), 12);
        Assert.Contains("not Inception", classifier.Name);

        // the cached classifier is reused as is
        var messages = new List<string>();
        var again = FeatureClassifierTrainer.LoadOrTrain(splits, _cache, options, messages.Add);
        Assert.Empty(messages);
        Assert.Equal(classifier.HeldOutAccuracy, again.HeldOutAccuracy);

        // a cache whose weights were altered fails its checksum and is rebuilt
        var file = Directory.GetFiles(Path.Combine(_cache, "classifiers"), "*.safetensors").Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^5] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var rebuilt = FeatureClassifierTrainer.LoadOrTrain(splits, _cache, options, messages.Add);
        Assert.Contains(messages, m => m.Contains("checksum", StringComparison.Ordinal));
        Assert.Equal(classifier.HeldOutAccuracy, rebuilt.HeldOutAccuracy, 12);
        Assert.True(SafeTensorsFile.Read(file).Metadata.ContainsKey("sha256"));
    }
}
