using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Evaluation;

/// <summary>Our trained <see cref="ClassifierNetwork"/> as the FID feature extractor and sample classifier.</summary>
public sealed class ClassifierFeatureExtractor : IFeatureExtractor
{
    private readonly ClassifierNetwork _network;

    public ClassifierFeatureExtractor(ClassifierNetwork network, string dataset, int height, int width, double heldOutAccuracy)
    {
        _network = network;
        Height = height;
        Width = width;
        HeldOutAccuracy = heldOutAccuracy;
        Name = $"ntr-classifier-{dataset} (3-conv GN/SiLU net trained on {dataset}, held-out accuracy {heldOutAccuracy:P1}; not Inception)";
    }

    public string Name { get; }

    public double HeldOutAccuracy { get; }

    public int Channels => _network.Channels;

    public int Height { get; }

    public int Width { get; }

    public int FeatureDimension => ClassifierNetwork.FeatureWidth;

    public int ClassCount => _network.Classes;

    public int PreferredBatchSize => 256;

    public void Extract(ReadOnlySpan<float> images, int count, Span<float> features, Span<float> logits)
    {
        using var scope = TensorScope.Begin();
        using var untracked = GradMode.NoGrad();
        var store = _network.Store;
        var x = Tensor.FromSpan(images[..(count * Channels * Height * Width)], [count, Channels, Height, Width], store.DType, store.Device);
        var (f, l) = _network.Forward(x);
        f.ToFloatArray().CopyTo(features);
        if (ClassCount > 0)
        {
            l.ToFloatArray().CopyTo(logits);
        }
    }
}
