using NativeTrustRegion.Data;
using NativeTrustRegion.Engine;
using NativeTrustRegion.Engine.Autograd;

namespace NativeTrustRegion.Evaluation;

/// <summary>
/// FID features from pytorch-fid's Inception-v3 with user-supplied weights: images (C = 1 or 3, any size, in [-1, 1])
/// are resized to 299×299 bilinearly (align_corners=False, as pytorch-fid's F.interpolate), grayscale is repeated to
/// three channels, and the 2048-d pool3 activations are the features. pytorch-fid resizes images in [0, 1] and then
/// maps them to [-1, 1]; resizing is linear with weights summing to one, so resizing the [-1, 1] images directly is the
/// same up to float rounding. Logits (K = <see cref="ClassCount"/>) are the raw fc outputs when the file has fc
/// (1008 in pytorch-fid's file), else K = 0.
/// </summary>
public sealed class InceptionV3FeatureExtractor : IFeatureExtractor
{
    private readonly InceptionV3Network _network;

    public InceptionV3FeatureExtractor(InceptionV3Network network, int channels, int height, int width)
    {
        if (channels is not (1 or 3))
        {
            throw new ArgumentException($"Inception-v3 takes grayscale or RGB images, not {channels} channels");
        }
        if (height <= 0 || width <= 0)
        {
            throw new ArgumentException($"image size {height}×{width} is empty");
        }
        _network = network;
        Channels = channels;
        Height = height;
        Width = width;
        Name = $"Inception-v3 (pytorch-fid weights from {network.Source})";
    }

    /// <summary>Reads and checks the weights file and builds the network on <paramref name="device"/> (default CPU).</summary>
    public static InceptionV3FeatureExtractor Load(string weightsPath, int channels, int height, int width, Device? device = null) =>
        new(InceptionV3Network.Load(InceptionV3WeightsFile.Open(weightsPath), device), channels, height, width);

    public string Name { get; }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int FeatureDimension => InceptionV3Architecture.FeatureWidth;

    public int ClassCount => _network.ClassCount;

    /// <summary>A 299×299 image costs about 5.7 GFLOP; small batches on the CPU, larger ones on a GPU.</summary>
    public int PreferredBatchSize => _network.Device.IsCpu ? 16 : 128;

    public void Extract(ReadOnlySpan<float> images, int count, Span<float> features, Span<float> logits)
    {
        if (count <= 0)
        {
            return;
        }
        using var scope = TensorScope.Begin();
        using var untracked = GradMode.NoGrad();
        var size = InceptionV3Architecture.InputSize;
        var x = Tensor.FromSpan(images[..(count * Channels * Height * Width)], [count, Channels, Height, Width], DType.F32, _network.Device);
        if (Height != size || Width != size)
        {
            x = Ops.ResizeBilinear(x, size, size);
        }
        if (Channels == 1)
        {
            x = x.Expand(count, 3, size, size);
        }
        var (f, l) = _network.Forward(x);
        f.ToFloatArray().CopyTo(features);
        if (l is not null)
        {
            l.ToFloatArray().CopyTo(logits);
        }
    }
}
