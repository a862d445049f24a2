namespace NativeTrustRegion.Data;

/// <summary>
/// Runs an <see cref="IFeatureExtractor"/> over image sets in batches: feature statistics for FID,
/// FID between a real and a generated set, and classifier accuracy on labelled images.
/// </summary>
public static class FeatureEvaluator
{
    public static FeatureStatistics Statistics(IFeatureExtractor extractor, ImageDataset images)
    {
        CheckShape(extractor, images.Channels, images.Height, images.Width, images.Name);
        var accumulator = new FeatureStatisticsAccumulator(extractor.FeatureDimension);
        ForEachBatch(extractor, images, (features, _, count, _) => accumulator.Add(features, count));
        return accumulator.ToStatistics();
    }

    /// <summary>Statistics of raw images (count×C×H×W floats in [-1, 1], e.g. fresh samples).</summary>
    public static FeatureStatistics Statistics(IFeatureExtractor extractor, ReadOnlySpan<float> images, int count)
    {
        int imageSize = extractor.Channels * extractor.Height * extractor.Width;
        if (images.Length < (long)count * imageSize) throw new ArgumentException($"{images.Length} values do not hold {count} images of {imageSize}");
        var accumulator = new FeatureStatisticsAccumulator(extractor.FeatureDimension);
        int batch = Math.Max(1, extractor.PreferredBatchSize);
        var features = new float[batch * extractor.FeatureDimension];
        var logits = new float[batch * extractor.ClassCount];
        for (int start = 0; start < count; start += batch)
        {
            int n = Math.Min(batch, count - start);
            extractor.Extract(images.Slice(start * imageSize, n * imageSize), n, features, logits);
            accumulator.Add(features, n);
        }
        return accumulator.ToStatistics();
    }

    /// <summary>FID between a real set (e.g. a task's held-out images) and a generated set.</summary>
    public static double Fid(IFeatureExtractor extractor, ImageDataset real, ImageDataset generated) =>
        FrechetDistance.Compute(Statistics(extractor, real), Statistics(extractor, generated));

    /// <summary>Top-1 accuracy of the extractor's classifier head on labelled images (labels must be &lt; K).</summary>
    public static double ClassifierAccuracy(IFeatureExtractor extractor, ImageDataset images)
    {
        if (extractor.ClassCount <= 0) throw new InvalidOperationException($"{extractor.Name} has no classifier head");
        CheckShape(extractor, images.Channels, images.Height, images.Width, images.Name);
        long correct = 0;
        int k = extractor.ClassCount;
        ForEachBatch(extractor, images, (_, logits, count, first) =>
        {
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<float> row = logits.Slice(i * k, k);
                int best = 0;
                for (int c = 1; c < k; c++) if (row[c] > row[best]) best = c;
                if (best == images.Label(first + i)) correct++;
            }
        });
        return images.Count == 0 ? double.NaN : (double)correct / images.Count;
    }

    private delegate void BatchHandler(ReadOnlySpan<float> features, ReadOnlySpan<float> logits, int count, int firstIndex);

    private static void ForEachBatch(IFeatureExtractor extractor, ImageDataset images, BatchHandler handle)
    {
        int batch = Math.Max(1, extractor.PreferredBatchSize);
        int imageSize = images.ImageSize;
        var pixels = new float[batch * imageSize];
        var features = new float[batch * extractor.FeatureDimension];
        var logits = new float[batch * extractor.ClassCount];
        for (int start = 0; start < images.Count; start += batch)
        {
            int n = Math.Min(batch, images.Count - start);
            for (int i = 0; i < n; i++) images.CopyImage(start + i, pixels.AsSpan(i * imageSize, imageSize));
            extractor.Extract(pixels.AsSpan(0, n * imageSize), n, features, logits);
            handle(features.AsSpan(0, n * extractor.FeatureDimension), logits.AsSpan(0, n * extractor.ClassCount), n, start);
        }
    }

    private static void CheckShape(IFeatureExtractor extractor, int c, int h, int w, string name)
    {
        if (extractor.Channels != c || extractor.Height != h || extractor.Width != w)
            throw new ArgumentException($"{extractor.Name} expects {extractor.Channels}×{extractor.Height}×{extractor.Width} images, {name} has {c}×{h}×{w}");
    }
}
