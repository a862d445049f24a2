namespace NativeTrustRegion.Data;

/// <summary>
/// The seam for the FID feature network (our own classifier, trained in-project because Inception
/// weights cannot be downloaded): maps images to feature vectors (for the Fréchet distance) and class
/// logits (for held-out accuracy and class-distribution checks). Implemented on top of the engine.
/// </summary>
public interface IFeatureExtractor
{
    string Name { get; }

    /// <summary>Expected input shape (C, H, W); images are floats in [-1, 1].</summary>
    int Channels { get; }
    int Height { get; }
    int Width { get; }

    /// <summary>D, the length of each feature vector.</summary>
    int FeatureDimension { get; }

    /// <summary>K, the number of class logits (0 when the extractor has no classifier head).</summary>
    int ClassCount { get; }

    /// <summary>A good number of images per <see cref="Extract"/> call.</summary>
    int PreferredBatchSize { get; }

    /// <summary>
    /// Computes features (count×D, row-major) and logits (count×K; may be empty when K = 0)
    /// for <paramref name="count"/> images (count×C×H×W floats in [-1, 1]).
    /// </summary>
    void Extract(ReadOnlySpan<float> images, int count, Span<float> features, Span<float> logits);
}
