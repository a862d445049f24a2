namespace NativeTrustRegion.Data.Tests;

public class FeatureEvaluatorTests
{
    private static readonly DatasetSplits Glyphs = EmbeddedGlyphDataset.Generate(new EmbeddedGlyphOptions { TrainPerClass = 200, HeldOutPerClass = 200 });

    [Fact]
    public void PixelFidSeparatesClassesAndIsZeroForTheSameSet()
    {
        var extractor = new PixelFeatureExtractor(1, 16, 16, cells: 4);
        ImageDataset discTrain = Glyphs.Train.WithClasses([0]), discHeld = Glyphs.HeldOut.WithClasses([0]);
        ImageDataset ringHeld = Glyphs.HeldOut.WithClasses([1]);
        Assert.InRange(FeatureEvaluator.Fid(extractor, discHeld, discHeld), 0, 1e-9);
        double sameClass = FeatureEvaluator.Fid(extractor, discTrain, discHeld);
        double otherClass = FeatureEvaluator.Fid(extractor, discTrain, ringHeld);
        Assert.True(otherClass > 5 * sameClass, $"same class {sameClass:F4}, other class {otherClass:F4}");

        // Raw-array statistics equal data-set statistics.
        float[] raw = discHeld.ToFloatArray();
        FeatureStatistics fromRaw = FeatureEvaluator.Statistics(extractor, raw, discHeld.Count);
        FeatureStatistics fromSet = FeatureEvaluator.Statistics(extractor, discHeld);
        Assert.Equal(fromSet.Mean, fromRaw.Mean);
    }

    /// <summary>Classifies glyph images by the nearest class-mean image (a stand-in for the trained classifier).</summary>
    private sealed class NearestMeanClassifier : IFeatureExtractor
    {
        private readonly float[][] means;

        public NearestMeanClassifier(ImageDataset train)
        {
            means = Enumerable.Range(0, train.ClassCount).Select(c =>
            {
                ImageDataset cls = train.WithClasses([c]);
                float[] all = cls.ToFloatArray();
                return Enumerable.Range(0, 256).Select(p => Enumerable.Range(0, cls.Count).Average(n => all[n * 256 + p])).Select(v => (float)v).ToArray();
            }).ToArray();
        }

        public string Name => "nearest-mean";
        public int Channels => 1;
        public int Height => 16;
        public int Width => 16;
        public int FeatureDimension => 1;
        public int ClassCount => means.Length;
        public int PreferredBatchSize => 64;

        public void Extract(ReadOnlySpan<float> images, int count, Span<float> features, Span<float> logits)
        {
            for (int n = 0; n < count; n++)
            {
                ReadOnlySpan<float> image = images.Slice(n * 256, 256);
                features[n] = image[0];
                for (int c = 0; c < means.Length; c++)
                {
                    float distance = 0;
                    for (int p = 0; p < 256; p++) distance += (image[p] - means[c][p]) * (image[p] - means[c][p]);
                    logits[n * means.Length + c] = -distance;
                }
            }
        }
    }

    [Fact]
    public void ClassifierAccuracyCountsArgmaxHits()
    {
        var classifier = new NearestMeanClassifier(Glyphs.Train);
        double accuracy = FeatureEvaluator.ClassifierAccuracy(classifier, Glyphs.HeldOut);
        // Recomputed by hand from the logits.
        int correct = 0;
        var logits = new float[10];
        var image = new float[256];
        for (int i = 0; i < Glyphs.HeldOut.Count; i++)
        {
            Glyphs.HeldOut.CopyImage(i, image);
            classifier.Extract(image, 1, new float[1], logits);
            if (Array.IndexOf(logits, logits.Max()) == Glyphs.HeldOut.Label(i)) correct++;
        }
        Assert.Equal((double)correct / Glyphs.HeldOut.Count, accuracy, 1e-12);
        Assert.True(accuracy > 0.3, $"nearest-mean accuracy {accuracy:P1} (chance 10 %)");
        Assert.Throws<InvalidOperationException>(() => FeatureEvaluator.ClassifierAccuracy(new PixelFeatureExtractor(1, 16, 16), Glyphs.HeldOut));
    }
}
