namespace NativeTrustRegion.Data.Tests;

public class GlyphDatasetTests
{
    private static readonly EmbeddedGlyphOptions Small = new() { TrainPerClass = 60, HeldOutPerClass = 20 };

    private static byte[] AllBytes(ImageDataset d) =>
        Enumerable.Range(0, d.Count).SelectMany(i => d.ImageBytes(i).ToArray()).ToArray();

    [Fact]
    public void SameSeedIsBitIdenticalAndAnotherSeedDiffers()
    {
        DatasetSplits first = EmbeddedGlyphDataset.Generate(Small);
        DatasetSplits second = EmbeddedGlyphDataset.Generate(Small);
        DatasetSplits other = EmbeddedGlyphDataset.Generate(Small with { Seed = Small.Seed + 1 });
        Assert.Equal(AllBytes(first.Train), AllBytes(second.Train));
        Assert.Equal(AllBytes(first.HeldOut), AllBytes(second.HeldOut));
        Assert.Equal(first.Train.Labels.ToArray(), second.Train.Labels.ToArray());
        byte[] a = AllBytes(first.Train), b = AllBytes(other.Train);
        int differing = a.Zip(b).Count(p => p.First != p.Second);
        Assert.True(differing > a.Length / 4, $"only {differing} of {a.Length} bytes differ between seeds");
    }

    [Fact]
    public void ShapeCountsAndRangeAreAsConfigured()
    {
        DatasetSplits splits = EmbeddedGlyphDataset.Generate(Small);
        Assert.Equal((1, 16, 16), (splits.Train.Channels, splits.Train.Height, splits.Train.Width));
        Assert.Equal(10, splits.Train.ClassCount);
        Assert.All(splits.Train.CountPerClass(), n => Assert.Equal(60, n));
        Assert.All(splits.HeldOut.CountPerClass(), n => Assert.Equal(20, n));
        float[] values = splits.Train.ToFloatArray();
        Assert.Equal(-1f, values.Min());
        Assert.True(values.Max() > 0.9f && values.Max() <= 1f);
    }

    [Fact]
    public void TrainingImagesDoNotDependOnTheHeldOutCount()
    {
        DatasetSplits a = EmbeddedGlyphDataset.Generate(Small);
        DatasetSplits b = EmbeddedGlyphDataset.Generate(Small with { HeldOutPerClass = 5 });
        Assert.Equal(AllBytes(a.Train), AllBytes(b.Train));
    }

    [Fact]
    public void ClassesAreDistinctAndImagesVaryWithinAClass()
    {
        DatasetSplits splits = EmbeddedGlyphDataset.Generate(Small);
        float[] train = splits.Train.ToFloatArray(), held = splits.HeldOut.ToFloatArray();
        int size = splits.Train.ImageSize;
        // 1-nearest-neighbour on raw pixels: held-out images are recognised from 60 examples per class.
        int correct = 0;
        for (int i = 0; i < splits.HeldOut.Count; i++)
        {
            int best = -1;
            double bestDistance = double.MaxValue;
            for (int j = 0; j < splits.Train.Count; j++)
            {
                double distance = 0;
                for (int p = 0; p < size; p++)
                {
                    double diff = held[i * size + p] - train[j * size + p];
                    distance += diff * diff;
                }
                if (distance < bestDistance) { bestDistance = distance; best = j; }
            }
            if (splits.Train.Label(best) == splits.HeldOut.Label(i)) correct++;
        }
        double accuracy = (double)correct / splits.HeldOut.Count;
        Assert.True(accuracy >= 0.85, $"1-NN held-out accuracy {accuracy:P1}");

        // Within-class variation: no two training images of a class are the same, and pixels vary.
        for (int c = 0; c < 10; c++)
        {
            ImageDataset cls = splits.Train.WithClasses([c]);
            var distinct = new HashSet<string>(Enumerable.Range(0, cls.Count).Select(i => Convert.ToBase64String(cls.ImageBytes(i))));
            Assert.Equal(cls.Count, distinct.Count);
            float[] x = cls.ToFloatArray();
            double meanPixelStd = Enumerable.Range(0, size).Average(p =>
            {
                double m = Enumerable.Range(0, cls.Count).Average(n => x[n * size + p]);
                return Math.Sqrt(Enumerable.Range(0, cls.Count).Average(n => Math.Pow(x[n * size + p] - m, 2)));
            });
            Assert.True(meanPixelStd > 0.15, $"class {c}: mean per-pixel std {meanPixelStd:F3}");
        }
    }

    [Fact]
    public void SupersamplingProducesAntiAliasedEdges()
    {
        var parameters = new GlyphParameters(8.3, 7.9, 5.0, 0.2, 1.6, 1.0);
        var sharp = new float[256];
        var smooth = new float[256];
        GlyphRasterizer.Render(GlyphShape.Ring, parameters, 16, 16, 1, sharp);
        GlyphRasterizer.Render(GlyphShape.Ring, parameters, 16, 16, 4, smooth);
        Assert.All(sharp, v => Assert.True(v == 0f || v == 1f));
        int partial = smooth.Count(v => v > 0.05f && v < 0.95f);
        Assert.True(partial >= 20, $"{partial} edge pixels with partial coverage");
    }

    [Fact]
    public void DiscCoverageMatchesItsArea()
    {
        // Disc radius = 0.8·r; summed coverage ≈ π(0.8·r)² pixels.
        var image = new float[32 * 32];
        GlyphRasterizer.Render(GlyphShape.Disc, new GlyphParameters(16, 16, 10, 0, 1, 1.0), 32, 32, 8, image);
        double area = image.Sum();
        double expected = Math.PI * 8 * 8;
        Assert.InRange(area, expected * 0.99, expected * 1.01);
    }
}
